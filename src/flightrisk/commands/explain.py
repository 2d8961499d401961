"""`flightrisk explain`: one person's latest explanation as text or JSON."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from flightrisk.errors import InputError
from flightrisk.explain.person import explain_people, explanation_text
from flightrisk.i18n import Words
from flightrisk.io import read_table
from flightrisk.model.artifact import load_model
from flightrisk.score.batch import check_columns, checked_rows

FORMATS = ("text", "json")


@dataclasses.dataclass(frozen=True)
class ExplainRequest:
    """What `flightrisk explain` was asked to do, in the reader's words."""

    model_dir: Path
    input_path: Path
    employee: str
    words: Words
    fmt: str = "text"

    def check(self) -> None:
        """Refuse an unknown format before any work."""
        if self.fmt not in FORMATS:
            raise InputError(f"--format must be 'text' or 'json', got {self.fmt!r}")


def explain_cli(request: ExplainRequest) -> str:
    """The text (or JSON) to print for one person."""
    request.check()
    input_path, employee, words = request.input_path, request.employee, request.words
    model = load_model(request.model_dir)
    table = read_table(input_path)
    check_columns(list(table.columns), model, str(input_path))
    prepared = model.prepare(table)
    # Only this person's rows are typed: the table may hold every person-month of the extract.
    rows = prepared[prepared["employee_id"].astype(str) == employee]
    if rows.empty:
        raise InputError(f"{input_path}: no row for employee_id {employee!r}")
    rows = checked_rows(model, rows, str(input_path), table.attrs.get("decimal", "."))
    rows = rows.sort_values("snapshot_date").tail(1)
    person = explain_people(model, rows, words=words)[0]
    person["model_created_utc"] = model.metadata.get("created_utc")
    if request.fmt == "json":
        return json.dumps(person, indent=2, ensure_ascii=False)
    return explanation_text(person, words)
