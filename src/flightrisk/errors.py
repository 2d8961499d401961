"""Errors that mean "the input is wrong": the CLI turns them into exit code 2 and a clear message."""

from __future__ import annotations


class InputError(Exception):
    """Bad input or usage. The message says which file, column and rows, and what to do."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        full = message if not self.problems else message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(full)


def rows_preview(index_values, limit: int = 5) -> str:
    """Render the first offending row numbers (1-based, as a spreadsheet shows them)."""
    values = list(index_values)
    shown = ", ".join(str(v) for v in values[:limit])
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return f"rows {shown}{more}"
