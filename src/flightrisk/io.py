"""Reading and writing tables and files: CSV or Parquet in, atomic writes out, hashes.

The one CSV reader (BOM, `;` dialect, decimal commas) and the one number rule live here; the other
modules that touch files use these helpers and are listed in docs/architecture.md.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

try:  # advisory locks on temporaries (POSIX); elsewhere the writer's PID alone decides
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

from flightrisk.errors import InputError

# The one registry of table formats: every reader and writer asks `table_format`.
TABLE_FORMATS = {".parquet": "parquet", ".csv": "csv"}
TABLE_SUFFIXES = tuple(TABLE_FORMATS)


def table_format(path: Path, what: str = "file") -> str:
    """'parquet' or 'csv' by the file's suffix; anything else is refused, naming the file."""
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise InputError(f"{path}: unsupported {what} type '{suffix}'; use .parquet or .csv")
    return TABLE_FORMATS[suffix]


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet file into a frame; CSV cells stay text until a schema types them.

    CSV handling (`read_csv_chunks`): a UTF-8 byte-order mark is dropped; a file whose header uses
    `;` is read as the European dialect (`;` between fields, `,` as decimal mark). Anything that is
    not UTF-8 is rejected rather than guessed.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    if table_format(path) == "parquet":
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many kinds; all mean "not readable Parquet"
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
    return _read_csv(path)


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
    return next(read_csv_chunks(path, chunk_rows=None))


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_GROUPED_THOUSANDS = re.compile(r"^\s*[-+]?\d{1,3}(\.\d{3})+(,\d+)?\s*$")
NUMBER_HINTS = {
    "uses a decimal comma": "write numbers with '.' as the decimal mark, or save the CSV with ';' between "
    "fields (the European dialect), which is read with ',' as the decimal mark",
    "uses '.' in a ';'-separated file": "in the European dialect ',' is the decimal mark and '.' groups "
    "thousands (37.300 = 37300); write 37,3 for thirty-seven point three",
    "is not a finite number": "replace infinite values with real figures or leave the cell empty",
}


def to_numbers(values: pd.Series, decimal: str = ".") -> tuple[pd.Series, pd.Series, str]:
    """Text or numbers to floats under the file's dialect: (typed, mask of bad cells, why).

    One rule for every reader: with ',' as decimal mark (the `;` dialect) a '.' may only group
    thousands (37.300 is 37300, never 37.3); with '.' a decimal comma is refused, not guessed;
    infinities are never numbers a person meant.
    """
    present = values.notna()
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        typed = values.astype(float)
        reason = "is not a number"
    else:
        text = values.astype("object").map(lambda v: v.strip() if isinstance(v, str) else v)
        present &= text.map(lambda v: not (isinstance(v, str) and v == ""))
        reason = "is not a number"
        if decimal == ",":
            grouped = text.map(lambda v: isinstance(v, str) and bool(_GROUPED_THOUSANDS.match(v)))
            text = text.where(~grouped, text.map(lambda v: v.replace(".", "") if isinstance(v, str) else v))
            dotted = text.map(lambda v: isinstance(v, str) and "." in v)
            text = text.map(lambda v: v.replace(",", ".") if isinstance(v, str) else v).where(~dotted, None)
            if dotted.any():
                reason = "uses '.' in a ';'-separated file"
        typed = pd.to_numeric(text, errors="coerce").astype(float)
        if decimal == "." and (present & typed.isna()).any():
            if values[present & typed.isna()].astype(str).str.match(_DECIMAL_COMMA).any():
                reason = "uses a decimal comma"
    infinite = typed.isin([np.inf, -np.inf])
    bad = (present & typed.isna()) | infinite
    if infinite.any() and not (present & typed.isna()).any():
        reason = "is not a finite number"
    return typed.where(~infinite), bad, reason


def read_csv_chunks(path: Path, chunk_rows: int | None, **options) -> Iterator[pd.DataFrame]:
    """A CSV as text cells, whole (`chunk_rows` None) or in chunks: the one CSV reader.

    The dialect rule: a header with more `;` than `,` is the European dialect (`;` between fields,
    `,` as the decimal mark, recorded in `attrs["decimal"]` for whoever types the numbers).
    Encoding and parse errors anywhere in the file (not only in its first block) are input errors.
    """
    european = is_european_csv(path)
    decimal = "," if european else "."
    try:
        reader = pd.read_csv(
            path,
            encoding="utf-8-sig",
            sep=";" if european else ",",
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            chunksize=chunk_rows if options.get("nrows") != 0 else None,  # pandas refuses both
            **options,
        )
        if isinstance(reader, pd.DataFrame):
            reader.attrs["decimal"] = decimal
            yield reader
            return
        with reader:
            for chunk in reader:
                chunk.attrs["decimal"] = decimal  # whoever types the numbers needs the file's decimal mark
                yield chunk
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start} of a block); save the file as UTF-8 and try again"
        ) from exc
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: cannot parse as CSV ({exc})") from exc


def is_european_csv(path: Path) -> bool:
    """True when a CSV uses `;` between fields, which implies `,` as its decimal mark."""
    if table_format(path) != "csv":
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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# A temporary's writer holds an exclusive lock on it for as long as it lives; the kernel drops the lock
# when the process ends, however it ends (SIGKILL included). The PID in the name alone cannot tell: a
# killed run's PID may belong to a new process after a restart (containers count from 1 again), and a
# killed child that nobody has reaped yet still answers as alive.
_HELD: dict[str, int] = {}


def _hold(path: Path) -> None:
    if fcntl is None:
        return
    fd = os.open(path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _HELD[str(path)] = fd


def _release(path: Path) -> None:
    fd = _HELD.pop(str(path), None)
    if fd is not None:
        os.close(fd)


def _abandoned(path: Path, pid: int) -> bool:
    """True when no live process is writing `path`: its writer's lock is gone (or, without locks, its PID)."""
    if not _pid_alive(pid):
        return True
    if fcntl is None or str(path) in _HELD:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # its writer still holds it
    finally:
        os.close(fd)
    return True


def temporary_prefix(target: Path) -> str:
    """The hidden name prefix of a temporary file or folder for `target`: `.name.PID.`"""
    return f".{Path(target).name}.{os.getpid()}."


def remove_stale_temporaries(target: Path) -> None:
    """Temporaries of runs that were killed: never results, removed.

    Every temporary beside a result is named `.name.PID.…` and locked by its writer, so the next run
    tells a killed run's leftovers from what another live process is still writing.
    """
    target = Path(target)
    if not target.parent.is_dir():
        return
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*"):
        pid = stale.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and _abandoned(stale, int(pid)):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it into place only if the block succeeds.

    The temporary name is hidden and carries the writer's process id, and the writer holds a lock
    on it, so the next run can tell a killed run's leftovers from a file another live process is
    still writing.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(target), suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    _hold(tmp_path)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        _release(tmp_path)
        if tmp_path.exists():
            tmp_path.unlink()


@contextlib.contextmanager
def staged_folder(target: Path, label: str = "") -> Iterator[Path]:
    """A hidden folder beside `target` to build a whole result in (a model, a site), locked like
    `atomic_path`'s files; removed if the block fails. Put it in place with `swap_folder`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(target) + label, dir=target.parent))
    _hold(staging)
    try:
        yield staging
    except BaseException:
        _release(staging)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _release(staging)


def swap_folder(staged: Path, target: Path) -> None:
    """Replace the folder `target` by `staged` as a whole: the old one moves aside, the new one is
    renamed in, the old one is removed. A run killed between the two renames left the old folder
    aside; the next swap (or `restore_interrupted_swap`) puts it back first."""
    target = Path(target)
    previous = target.with_name(f".{target.name}.previous")
    restore_interrupted_swap(target)
    if previous.exists():
        shutil.rmtree(previous)
    if target.exists():
        target.rename(previous)
    Path(staged).rename(target)  # between these two renames the old folder sits in `.previous`
    shutil.rmtree(previous, ignore_errors=True)


def restore_interrupted_swap(target: Path) -> None:
    """A run killed between `swap_folder`'s two renames left the old folder in `.previous`: put it back."""
    target = Path(target)
    previous = target.with_name(f".{target.name}.previous")
    if not target.exists() and previous.is_dir():
        previous.rename(target)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe (CSV only)."""
    out = frame
    for column in frame.columns:
        values = frame[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        risky = values.map(lambda v: isinstance(v, str) and v.startswith(_FORMULA_START))
        if risky.any():
            if out is frame:
                out = frame.copy()
            out[column] = values.where(~risky, "'" + values.astype(str))
    return out


def write_csv_rows(frame: pd.DataFrame, handle_or_path, header: bool, mode: str = "w") -> None:
    """Append rows to a CSV with the project's conventions (ISO dates, formulas neutralised)."""
    neutralise_formulas(frame).to_csv(
        handle_or_path, mode=mode, header=header, index=False, date_format="%Y-%m-%d"
    )


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame as Parquet or CSV (by suffix), atomically."""
    path = Path(path)
    kind = table_format(path, "output")
    with atomic_path(path) as tmp:
        if kind == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            write_csv_rows(frame, tmp, header=True)


def write_text(text: str, path: Path) -> None:
    """Write text atomically (UTF-8)."""
    with atomic_path(Path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8")


def json_text(data: Any) -> str:
    """JSON as this project writes it: keys sorted, so that identical content gives identical bytes."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def write_json(data: Any, path: Path) -> None:
    """Write JSON atomically (`json_text`)."""
    write_text(json_text(data), path)


MAX_YAML_BYTES = 1 << 20  # catalogs and world files are a few kilobytes


def read_yaml(path: Path, loader=None) -> Any:
    """Parse a small YAML file safely: no Python tags, no aliases, a size limit.

    Aliases are refused because a few lines of nested aliases expand to gigabytes once anything
    walks the result ("billion laughs"); none of our files needs them.
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    if path.stat().st_size > MAX_YAML_BYTES:
        raise InputError(
            f"{path}: larger than {MAX_YAML_BYTES // 1024} KiB; is this really a catalog or world file?"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise InputError(
                    f"{path}: line {mark.line + 1} uses a YAML alias (*{event.anchor}); write the value out instead"
                )
        return yaml.load(text, Loader=loader or yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc})") from exc


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
