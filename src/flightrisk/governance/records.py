"""What a review record holds, checked before it is written (pure; `commands/records.py` writes it).

A review says that a manager or HR read a person's page for a month, whether they agree with what it
shows, and which action they took: a catalog action by name, their own words, or none. Reviewers are
named by an id (an employee or user id), not by name: the records are read in audits.
"""

from __future__ import annotations

import datetime as dt
import re

from flightrisk.errors import InputError
from flightrisk.features.catalog import Catalog

RUNS = "runs.jsonl"  # scoring and report runs (commands/score.py, commands/report.py)
REVIEWS = "reviews.jsonl"  # flightrisk review
ERASURES = "erasures.jsonl"  # flightrisk forget and retention, without the person's data
LEDGERS = (RUNS, REVIEWS, ERASURES)
AGREEMENT = ("yes", "partly", "no")
MAX_TEXT = 1000


def review_record(
    employee_id: str,
    month: str,
    reviewer: str,
    agrees: str,
    action: str | None,
    action_text: str | None,
    catalog: Catalog,
    model_created_utc: str,
    runs_entry_sha256: str | None,
    now: dt.datetime,
) -> dict:
    """One review, or an InputError naming every problem with what was given."""
    problems = []
    if not str(employee_id).strip():
        problems.append("--employee is empty: give the person's id")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
        problems.append(f"--month {month!r}: give the month of the page read as YYYY-MM, e.g. 2026-12")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}", str(reviewer)):
        problems.append(
            f"--reviewer {reviewer!r}: give the reviewer's id (letters, digits, '.', '_', '-', '@'), not a "
            "name with spaces: the records are read in audits"
        )
    if agrees not in AGREEMENT:
        problems.append(f"--agree {agrees!r}: say {', '.join(AGREEMENT)}")
    known = [a.name for a in catalog.actions]
    if action is not None and action not in known:
        problems.append(
            f"--action {action!r} is not in the model's catalog; use one of {known} or --action-text"
        )
    if action_text is not None and not (0 < len(action_text.strip()) <= MAX_TEXT):
        problems.append(f"--action-text: give the action in words, at most {MAX_TEXT} characters")
    if problems:
        raise InputError("the review was not recorded:", problems)
    return {
        "kind": "review",
        "employee_id": str(employee_id),
        "month": str(month),
        "reviewer": str(reviewer),
        "agrees": agrees,
        "action": action,
        "action_text": action_text.strip() if action_text else None,
        "recorded_utc": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "model_created_utc": model_created_utc,
        # The review is chained to the runs log as it stood: which scoring it answered.
        "runs_entry_sha256": runs_entry_sha256,
    }
