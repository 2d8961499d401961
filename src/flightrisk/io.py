"""Reading and writing tables and files: CSV or Parquet in, atomic writes out, hashes.

All file access of the pipeline goes through here, so the rest of the code works on frames.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from flightrisk.errors import InputError

TABLE_SUFFIXES = (".parquet", ".csv")


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet file into a frame; CSV cells stay text until a schema types them.

    CSV handling: a UTF-8 byte-order mark is dropped; a file whose header uses `;` is read as
    the European dialect (`;` between fields, `,` as decimal mark). Anything that is not UTF-8
    is rejected rather than guessed.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many kinds; all mean "not readable Parquet"
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
    if suffix == ".csv":
        return _read_csv(path)
    raise InputError(f"{path}: unsupported file type '{suffix}'; use .csv or .parquet")


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            header = handle.readline()
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 and try again"
        ) from exc
    if not header.strip():
        raise InputError(f"{path}: the file is empty; expected a header row")
    european = header.count(";") > header.count(",")
    try:
        frame = pd.read_csv(
            path,
            encoding="utf-8-sig",
            sep=";" if european else ",",
            dtype=str,
            keep_default_na=False,
            na_values=[""],
        )
        # Numbers stay text here; whoever types them needs to know the decimal mark.
        frame.attrs["decimal"] = "," if european else "."
        return frame
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 and try again"
        ) from exc
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: cannot parse as CSV ({exc})") from exc


def is_european_csv(path: Path) -> bool:
    """True when a CSV uses `;` between fields, which implies `,` as its decimal mark."""
    if Path(path).suffix.lower() != ".csv":
        return False
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline()
    return header.count(";") > header.count(",")


def find_table(directory: Path, name: str) -> Path | None:
    """The file holding table `name` in `directory` (Parquet preferred), or None."""
    for suffix in TABLE_SUFFIXES:
        candidate = Path(directory) / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it into place only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame as Parquet or CSV (by suffix), atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(f"{path}: unsupported output type '{suffix}'; use .csv or .parquet")
    with atomic_path(path) as tmp:
        if suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False, date_format="%Y-%m-%d")


def write_text(text: str, path: Path) -> None:
    """Write text atomically (UTF-8)."""
    with atomic_path(Path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(data: Any, path: Path) -> None:
    """Write JSON atomically, keys sorted so that identical content gives identical bytes."""
    write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n", path)


def read_json(path: Path) -> Any:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from exc


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_frame(frame: pd.DataFrame) -> str:
    """A content hash of a frame (values and column names, not the file format)."""
    digest = hashlib.sha256()
    digest.update("|".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
    return digest.hexdigest()
