"""The one explanation engine: lever contributions, sentences, what-if actions."""

from flightrisk.explain.contributions import LEVER_COLUMNS, Explanation, explain_rows

__all__ = ["LEVER_COLUMNS", "Explanation", "explain_rows"]
