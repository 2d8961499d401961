"""The inputs the commands share, read and checked at the edge: a feature table, the simulator's
truth, the employees table, a flat table with its catalog, a model by folder or MLflow URI."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd

from flightrisk.errors import InputError
from flightrisk.features.snapshots import NEXT_MONTH_LABEL
from flightrisk.io import find_table, read_table

FEATURE_ID_COLUMNS = ("employee_id", "snapshot_date", "label")


def read_features(path: Path) -> pd.DataFrame:
    """Read a feature table and type its id columns."""
    frame = read_table(path)
    missing = [c for c in FEATURE_ID_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}; is this a table from `flightrisk features`?")
    frame["employee_id"] = frame["employee_id"].astype(str)
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"], errors="coerce")
    if frame["snapshot_date"].isna().any():
        rows = (frame.index[frame["snapshot_date"].isna()] + 1).tolist()[:5]
        raise InputError(f"{path}: column 'snapshot_date' has values that are not dates in rows {rows}")
    frame["label"] = pd.to_numeric(frame["label"], errors="coerce").astype("Int64")
    if NEXT_MONTH_LABEL in frame.columns:
        frame[NEXT_MONTH_LABEL] = pd.to_numeric(frame[NEXT_MONTH_LABEL], errors="coerce").astype("Int64")
    return frame


def read_truth(raw: Path | None, name: str = "hazard") -> pd.DataFrame | None:
    """A table of the simulator's truth beside an extract (`hazard`, `risk`), or None where there is none."""
    if raw is None:
        return None
    path = find_table(Path(raw) / "truth", name)
    return read_table(path) if path is not None else None


def read_raw_table(raw: Path, name: str) -> pd.DataFrame:
    """One table of the raw extract, typed and checked by its schema."""
    from flightrisk.schema.raw import load_table

    path = find_table(Path(raw), name)
    if path is None:
        raise InputError(f"{raw}: no {name} table (.parquet or .csv)")
    table, problems = load_table(name, path)
    if problems:
        raise InputError(f"{raw}: the {name} table has problems:", problems)
    return table


def read_employees(raw: Path | None) -> pd.DataFrame | None:
    """The raw extract's employees table (for the fairness audit), or None without one."""
    if raw is None or find_table(Path(raw), "employees") is None:
        return None
    return read_raw_table(raw, "employees")


def read_survey_tables(raw: Path | None) -> dict[str, pd.DataFrame] | None:
    """The raw extract's engagement survey and job history (a team survey mean's reliability is read
    from them, explain/team_shift.py), or None without both."""
    names = ("engagement_survey", "job_history")
    if raw is None or any(find_table(Path(raw), name) is None for name in names):
        return None
    return {name: read_raw_table(raw, name) for name in names}


def read_managers(raw: Path | None, features: pd.DataFrame) -> pd.Series | None:
    """Each feature row's manager at its snapshot, from the raw extract's job history (None without
    one): the causal layer's test of 1:1s holds the manager's habit fixed with it."""
    from flightrisk.features.directory import managers_of_rows

    if raw is None or find_table(Path(raw), "job_history") is None:
        return None
    return managers_of_rows(read_raw_table(raw, "job_history"), features)


def read_flat(table_path: Path, catalog_path: Path | None, say=None):
    """The flat catalog and its table, checked against each other; the catalog's notes said once."""
    from flightrisk.flat.catalog import NO_ID_NOTE, check_against_table, load_flat_catalog

    if catalog_path is None:
        raise InputError(
            "--table needs --catalog YAML: the catalog says which column is the id, the label, ..."
        )
    flat = load_flat_catalog(catalog_path)
    table = read_table(table_path)
    check_against_table(flat, table, f"{catalog_path} against {table_path}")
    notes = [*flat.catalog.notes, *([NO_ID_NOTE] if not flat.table.id_columns else [])]
    for note in notes if say is not None else ():
        say(note)
    return flat, table


def read_month_bundle(model, scores_path: Path, say):
    """The (rows, Computed) that `score --explain` left beside these scores, or None; a bundle that is
    there but no longer matches the scores or the model is said and not read."""
    from flightrisk.score.bundle import bundle_path, read_bundle

    bundle = read_bundle(model, scores_path)
    if isinstance(bundle, tuple):
        return bundle
    if bundle_path(scores_path).exists():
        say(f"Not reading the bundle: {bundle}; working from the inputs again.")
    return None


@contextlib.contextmanager
def resolved_model(model_ref: str | Path):
    """Yield a model directory: the one given, or an MLflow URI (models:/flightrisk@champion)
    downloaded to a temporary folder that is removed afterwards."""
    model_ref = str(model_ref)
    if "://" in model_ref or model_ref.startswith("models:/") or model_ref.startswith("runs:/"):
        from flightrisk.tracking import registered_model_dir

        with contextlib.ExitStack() as stack:
            try:
                folder = stack.enter_context(registered_model_dir(model_ref))
            except Exception as exc:  # MLflow raises its own errors for unknown models and aliases
                raise InputError(f"{model_ref}: cannot load this model from MLflow ({exc})") from exc
            yield folder
        return
    yield Path(model_ref)
