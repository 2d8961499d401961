"""The IO edge of `review`, `audit`, `access` and `forget`: records of what was done with the report
and the data subject's rights (docs/governance.md). The checks and documents are pure
(`governance/`); the chain is `ledger.py`; this module reads and writes the files."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from flightrisk import ledger
from flightrisk.errors import InputError
from flightrisk.governance.records import ERASURES, LEDGERS, REVIEWS, RUNS, review_record
from flightrisk.io import TABLE_SUFFIXES, atomic_path, read_table, write_table
from flightrisk.score.bundle import bundle_path, remove_bundle


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def review_cli(
    model_dir: Path,
    employee_id: str,
    month: str,
    reviewer: str,
    agrees: str,
    action: str | None,
    action_text: str | None,
    records: Path,
    scores: Path | None,
) -> dict:
    """Append one review to `<records>/reviews.jsonl`, chained, and linked to the runs log."""
    from flightrisk.model.artifact import load_model

    model = load_model(model_dir)
    if scores is not None:
        frame = read_table(scores)
        if employee_id not in set(frame["employee_id"].astype(str)):
            raise InputError(
                f"{scores}: employee {employee_id!r} was not scored there; review a page the report showed"
            )
    record = review_record(
        employee_id,
        month,
        reviewer,
        agrees,
        action,
        action_text,
        model.catalog,
        str(model.metadata.get("created_utc", "")),
        ledger.last_entry_hash(Path(records) / RUNS),
        _now(),
    )
    return ledger.append(Path(records) / REVIEWS, record)


def audit_cli(records: Path) -> dict:
    """Verify every chained log in `records`; the reviews' links to the runs log; and that every
    redacted line is accounted for by a recorded erasure. Exit 2 (InputError) on any problem."""
    records = Path(records)
    problems, counts = [], {}
    for name in LEDGERS:
        path = records / name
        if path.is_file():
            found, counts[name] = ledger.verify(path)
            problems.extend(found)
    runs = {r.get(ledger.CHAIN, {}).get("entry_sha256") for r in _safe_read(records / RUNS)}
    erased = set()
    for record in _safe_read(records / ERASURES):
        erased.update(int(s) for s in (record.get("redacted") or {}).get(REVIEWS, []))
    for record in _safe_read(records / REVIEWS):
        chain = record.get(ledger.CHAIN) or {}
        content = {k: v for k, v in record.items() if k != ledger.CHAIN}
        if content == ledger.REDACTED and chain.get("seq") not in erased:
            problems.append(f"{REVIEWS} line {chain.get('seq', 0) + 1}: redacted without a recorded erasure")
        link = content.get("runs_entry_sha256")
        if link and link not in runs:
            problems.append(f"{REVIEWS} line {chain.get('seq', 0) + 1}: the run it answered is not in {RUNS}")
    if problems:
        raise InputError(f"{records}: the records have been changed or lost:", problems)
    return counts


def _safe_read(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # audit reports it through ledger.verify
    return out


def _person_rows(path: Path, employee_id: str) -> pd.DataFrame | None:
    frame = read_table(path)
    if "employee_id" not in frame.columns:
        return None
    return frame[frame["employee_id"].astype(str) == employee_id].reset_index(drop=True)


def _raw_tables(raw: Path) -> list[Path]:
    return sorted(p for p in Path(raw).iterdir() if p.suffix in TABLE_SUFFIXES and p.is_file())


def _models_that_saw(employee_id: str, models: list[Path], features: pd.DataFrame | None) -> list[dict]:
    """The model folders whose training window held a snapshot of the person (read from their
    metadata, not loaded)."""
    if features is None:
        return []
    mine = pd.to_datetime(features.loc[features["employee_id"].astype(str) == employee_id, "snapshot_date"])
    out = []
    for folder in models:
        meta_path = Path(folder) / "metadata.json"
        if not meta_path.is_file() or mine.empty:
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        window = meta.get("final_window") or meta.get("train_window")
        if window and ((mine >= pd.Timestamp(window[0])) & (mine <= pd.Timestamp(window[1]))).any():
            out.append(
                {
                    "name": str(folder),
                    "created_utc": meta.get("created_utc", ""),
                    "why": f"trained on snapshots {window[0]} to {window[1]}, which include yours",
                }
            )
    return out


def access_cli(
    employee_id: str,
    out: Path,
    raw: Path | None,
    features_path: Path | None,
    scores: list[Path],
    plan: Path | None,
    records: Path,
    models: list[Path],
) -> dict:
    """Write the access document (Markdown, or HTML when `out` ends in .html)."""
    from flightrisk.governance.access import access_markdown
    from flightrisk.report.model_card import markdown_to_page

    tables = {}
    if raw is not None:
        for path in _raw_tables(raw):
            rows = _person_rows(path, employee_id)
            if rows is not None:
                tables[path.stem] = rows
        if not any(len(rows) for rows in tables.values()):
            raise InputError(f"{raw}: no table holds employee {employee_id!r}; check the id")
    score_rows = [_person_rows(p, employee_id) for p in scores]
    score_frame = pd.concat([s for s in score_rows if s is not None], ignore_index=True) if scores else None
    reviews = [
        {k: v for k, v in r.items() if k != ledger.CHAIN}
        for r in _safe_read(Path(records) / REVIEWS)
        if r.get("employee_id") == employee_id
    ]
    plan_rows = _person_rows(plan, employee_id) if plan is not None else None
    features = read_table(features_path) if features_path is not None else None
    made = _now().strftime("%Y-%m-%dT%H:%M:%SZ")
    text = access_markdown(
        employee_id,
        tables,
        score_frame,
        reviews,
        plan_rows,
        _models_that_saw(employee_id, models, features),
        made,
    )
    out = Path(out)
    body = markdown_to_page(text, f"flightrisk: {employee_id}", "en") if out.suffix == ".html" else text
    with atomic_path(out) as tmp:
        Path(tmp).write_text(body, encoding="utf-8")
    return {
        "tables": {k: len(v) for k, v in tables.items()},
        "scores": 0 if score_frame is None else len(score_frame),
    }


# Columns that name another person: a forgotten manager is still named in their team's job history.
REFERENCE_COLUMNS = ("manager_id",)


def _drop_person(path: Path, employee_id: str, stand_in: str) -> tuple[int, int]:
    """Rewrite a table without the person's rows, and with `stand_in` wherever it names them as
    someone's manager (atomically, same format): (rows removed, references replaced)."""
    frame = read_table(path)
    if "employee_id" not in frame.columns:
        return 0, 0
    keep = frame["employee_id"].astype(str) != employee_id
    removed = int((~keep).sum())
    frame = frame[keep].reset_index(drop=True)
    replaced = 0
    for column in (c for c in REFERENCE_COLUMNS if c in frame.columns):
        named = frame[column].astype(str) == employee_id
        replaced += int(named.sum())
        frame.loc[named, column] = stand_in
    if removed or replaced:
        write_table(frame, Path(path))  # atomic, same format
    return removed, replaced


def forget_cli(
    employee_id: str,
    raw: Path | None,
    features_path: Path | None,
    scores: list[Path],
    plan: Path | None,
    site: Path | None,
    records: Path,
    models: list[Path],
) -> dict:
    """Remove the person from every file given and redact their review records; record the erasure
    (what was changed, never who); name the trained models that learned from them."""
    if not str(employee_id).strip():
        raise InputError("--employee is empty: give the person's id")
    if models and features_path is None:
        raise InputError(
            "--model needs --features: which models learned from the person is read from their snapshots"
        )
    features = read_table(features_path) if features_path is not None else None
    saw = _models_that_saw(employee_id, models, features)
    removed: dict[str, int] = {}
    files = []
    if raw is not None:
        files += _raw_tables(raw)
        if (Path(raw) / "truth").is_dir():
            files += _raw_tables(Path(raw) / "truth")
    files += [p for p in (features_path, plan, *scores) if p is not None]
    # The team stays one team under a stand-in that is written nowhere else, so it links to no one.
    stand_in = f"erased-{uuid.uuid4().hex[:12]}"
    references: dict[str, int] = {}
    for path in files:
        count, replaced = _drop_person(Path(path), employee_id, stand_in)
        if count:
            removed[str(path)] = count
        if replaced:
            references[str(path)] = replaced
    bundles_removed = []
    for path in scores:
        # The bundle beside a scores file holds the month's rows: derived, it goes as a whole (the
        # report then explains from the scores' extract again), as the site does.
        bundle = bundle_path(path)
        if bundle.is_dir() and _person_in_bundle(bundle, employee_id):
            remove_bundle(path)
            bundles_removed.append(str(bundle))
    site_removed = False
    if site is not None and Path(site).is_dir():
        # Pages name people and add them into team figures: the site is derived, so it goes as a whole
        # and `flightrisk report` rebuilds it from the scores, which no longer hold the person.
        pages = [p for p in Path(site).rglob("*.html") if employee_id in p.read_text(encoding="utf-8")]
        if pages:
            shutil.rmtree(site)
            site_removed = True
    redacted = ledger.redact(Path(records) / REVIEWS, lambda r: r.get("employee_id") == employee_id)
    if not removed and not references and not site_removed and not redacted and not bundles_removed:
        # A mistyped id must not leave a record saying someone was erased.
        raise InputError(
            f"employee {employee_id!r} is in none of the files given; nothing was removed or recorded. "
            "Check the id, and give the files that hold them (--raw, --features, --scores, --plan, --site)"
        )
    record = {
        "kind": "erasure",
        "recorded_utc": _now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "rows_removed": removed,
        "manager_references_replaced": references,
        "site_removed": str(site) if site_removed else None,
        "bundles_removed": bundles_removed,
        "redacted": {REVIEWS: redacted} if redacted else {},
        "models_that_saw_them": [m["name"] for m in saw],
    }
    ledger.append(Path(records) / ERASURES, record)
    return record


def _person_in_bundle(bundle: Path, employee_id: str) -> bool:
    rows = bundle / "rows.parquet"
    return rows.is_file() and (read_table(rows)["employee_id"].astype(str) == employee_id).any()


def _site_as_of(site: Path) -> pd.Timestamp | None:
    from flightrisk.report.site import SITE_MARKER

    marker = Path(site) / SITE_MARKER
    if not marker.is_file():
        return None
    for line in marker.read_text(encoding="utf-8").splitlines():
        if line.startswith("as_of: "):
            return pd.Timestamp(line.removeprefix("as_of: ").strip())
    return None


def retention_cli(months: int, scores: list[Path], site: Path | None, records: Path, today=None) -> dict:
    """Delete score rows (and whole files left empty) and a report whose month is more than `months`
    months before today; record what was deleted (counts and paths, no person)."""
    if months < 1:
        raise InputError(f"--months {months}: keep at least one month")
    today = pd.Timestamp(today or _now().date())
    cutoff = today - pd.DateOffset(months=months)
    removed: dict[str, int] = {}
    deleted_files = []
    for path in scores:
        path = Path(path)
        if not path.is_file():
            continue
        frame = read_table(path)
        if "snapshot_date" not in frame.columns:
            raise InputError(f"{path}: no snapshot_date column; is it a scores file?")
        old = pd.to_datetime(frame["snapshot_date"]) < cutoff
        if old.any():
            remove_bundle(path)  # its month is gone, or its scores are rewritten: it speaks for neither
        if old.all():
            path.unlink()
            run_record = path.with_name(path.name + ".run.json")
            if run_record.is_file():
                run_record.unlink()
            deleted_files.append(str(path))
        elif old.any():
            write_table(frame[~old].reset_index(drop=True), path)
            removed[str(path)] = int(old.sum())
    site_removed = None
    if site is not None and Path(site).is_dir():
        as_of = _site_as_of(Path(site))
        if as_of is not None and as_of < cutoff:
            shutil.rmtree(site)
            site_removed = str(site)
    record = {
        "kind": "retention",
        "recorded_utc": _now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "months": months,
        "cutoff": str(cutoff.date()),
        "rows_removed": removed,
        "files_deleted": deleted_files,
        "site_removed": site_removed,
    }
    ledger.append(Path(records) / ERASURES, record)
    return record


def evaluate_actions_cli(
    plan_path: Path, raw: Path, records: Path, out: Path | None, scores_path: Path | None = None
) -> dict:
    """Each planned option's measured effect on voluntary exits at 3/6/12 months, from a later extract
    (`raw`, whose employees table says who left and when) and the review records."""
    from flightrisk.features.snapshots import extract_window, month_key
    from flightrisk.governance.effects import action_effects
    from flightrisk.io import write_json
    from flightrisk.schema import load_raw

    plan = read_table(plan_path)
    missing = [c for c in ("employee_id", "snapshot_date", "option") if c not in plan.columns]
    if missing:
        raise InputError(f"{plan_path}: missing column(s) {missing}; give a plan from `flightrisk plan`")
    tables = load_raw(raw)
    plan_month = int(month_key(pd.Series(pd.to_datetime(plan["snapshot_date"]))).max())
    last_month = extract_window(tables)[1]
    if last_month <= plan_month:
        raise InputError(
            f"{raw} ends in the plan's own month: outcomes need a later extract (months after the plan)"
        )
    employees = tables["employees"]
    ended = pd.to_datetime(employees["termination_date"])
    outcomes = pd.DataFrame(
        {
            "employee_id": employees["employee_id"].astype(str),
            "months_to_exit": (month_key(ended) - plan_month)
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan),
            "termination_type": employees["termination_type"],
        }
    )
    reviews = [r for r in _safe_read(Path(records) / REVIEWS) if r.get("kind") == "review"]
    scores = None
    if scores_path is not None:
        scores = read_table(scores_path)
        month = pd.to_datetime(scores["snapshot_date"])
        scores = scores[month_key(month) == plan_month][["employee_id", "risk"]]
        scores["risk"] = pd.to_numeric(scores["risk"])
        if scores.empty:
            raise InputError(
                f"{scores_path}: no scores at the plan's month; give the scores the plan was made from"
            )
    result = action_effects(plan, outcomes, last_month - plan_month, reviews, scores)
    if out is not None:
        write_json(result, out)
    return result
