"""Append-only, hash-chained JSON-lines records: runs, reviews, erasures (`flightrisk audit` checks them).

Each line is the record itself plus `_chain`: its sequence number, the previous line's entry hash,
the SHA-256 of its content (the record without `_chain`, as canonical JSON) and its own entry hash
(over sequence, previous hash and content hash). Deleting, reordering or editing a line breaks the
chain or a content hash. Because the chain runs over content *hashes*, a person's lines can be
redacted on an erasure request (`redact`): their content is replaced by a marker, the hashes stay, so
the chain still verifies, and the erasure is itself recorded — without the person's data.

Lines written before chaining existed (plain records at the start of a file) are accepted as legacy;
once a chained line appears, every later line must be chained.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from flightrisk.errors import InputError

CHAIN = "_chain"
GENESIS = "0" * 64
REDACTED = {"redacted": True}


def _canonical(record: dict) -> bytes:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry_hash(seq: int, prev: str, content_sha256: str) -> str:
    return _sha256(f"{seq}|{prev}|{content_sha256}".encode())


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock on `<path>.lock` while a line is appended or the file rewritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []


def _last_chain(lines: list[str]) -> dict | None:
    for line in reversed(lines):
        try:
            chain = json.loads(line).get(CHAIN)
        except (json.JSONDecodeError, AttributeError):
            return None
        return chain if isinstance(chain, dict) else None
    return None


def append(path: Path, record: dict) -> dict:
    """Append `record` to the chain in `path` (created if missing); returns the line written."""
    path = Path(path)
    if CHAIN in record:
        raise ValueError(f"a record may not carry its own {CHAIN!r}")
    with _locked(path):
        last = _last_chain(_lines(path))
        seq = 0 if last is None else int(last["seq"]) + 1
        prev = GENESIS if last is None else last["entry_sha256"]
        content_sha256 = _sha256(_canonical(record))
        line = {
            **record,
            CHAIN: {
                "seq": seq,
                "prev": prev,
                "content_sha256": content_sha256,
                "entry_sha256": _entry_hash(seq, prev, content_sha256),
            },
        }
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, sort_keys=True, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    return line


def read(path: Path) -> list[dict]:
    """Every line's record (with its `_chain`), in order; a line that is not JSON is refused."""
    out = []
    for number, line in enumerate(_lines(Path(path)), start=1):
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            raise InputError(f"{path}: line {number} is not JSON; run `flightrisk audit`") from None
    return out


def last_entry_hash(path: Path) -> str | None:
    """The entry hash of the last chained line (what another record links to), or None."""
    last = _last_chain(_lines(Path(path)))
    return None if last is None else last["entry_sha256"]


def verify(path: Path) -> tuple[list[str], dict]:
    """Problems with the chain in `path` (deleted, reordered or edited lines), and counts."""
    path = Path(path)
    problems: list[str] = []
    counts = {"lines": 0, "legacy": 0, "chained": 0, "redacted": 0}
    prev, expected_seq, chained_seen = GENESIS, 0, False
    for number, line in enumerate(_lines(path), start=1):
        counts["lines"] += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            problems.append(f"{path.name} line {number}: not JSON (edited or cut)")
            continue
        chain = record.pop(CHAIN, None) if isinstance(record, dict) else None
        if chain is None:
            if chained_seen:
                problems.append(
                    f"{path.name} line {number}: not chained after chained lines (inserted or edited)"
                )
            else:
                counts["legacy"] += 1
            continue
        chained_seen = True
        counts["chained"] += 1
        seq = chain.get("seq")
        if seq != expected_seq:
            problems.append(
                f"{path.name} line {number}: sequence {seq}, expected {expected_seq} (a line deleted or moved)"
            )
        if chain.get("prev") != prev:
            problems.append(
                f"{path.name} line {number}: does not follow the line before it (a line deleted or moved)"
            )
        if record == REDACTED:
            counts["redacted"] += 1
        elif _sha256(_canonical(record)) != chain.get("content_sha256"):
            problems.append(f"{path.name} line {number}: content differs from its hash (edited)")
        if _entry_hash(seq, chain.get("prev"), chain.get("content_sha256")) != chain.get("entry_sha256"):
            problems.append(f"{path.name} line {number}: entry hash does not match (edited)")
        prev = chain.get("entry_sha256")
        expected_seq = (seq if isinstance(seq, int) else expected_seq) + 1
    return problems, counts


def redact(path: Path, matches: Callable[[dict], bool]) -> list[int]:
    """Replace the content of every chained line whose record `matches` by a redaction marker,
    keeping its hashes (the chain still verifies); the file is rewritten whole, atomically.
    Returns the sequence numbers redacted."""
    from flightrisk.io import atomic_path

    path = Path(path)
    if not path.is_file():
        return []
    with _locked(path):
        redacted, out = [], []
        for line in _lines(path):
            record = json.loads(line)
            chain = record.pop(CHAIN, None)
            if chain is not None and record != REDACTED and matches(record):
                record = dict(REDACTED)
                redacted.append(int(chain["seq"]))
            if chain is not None:
                record[CHAIN] = chain
            out.append(json.dumps(record, sort_keys=True, ensure_ascii=False))
        if redacted:
            with atomic_path(path) as tmp:
                Path(tmp).write_text("\n".join(out) + "\n", encoding="utf-8")
    return redacted
