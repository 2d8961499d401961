"""flightrisk: predicts which sales reps are about to leave and explains why, lever by lever."""

__version__ = "0.1.0"

LEVERS = ("compensation", "development", "recognition", "workload", "leadership", "culture")
"""The six actionable lever families, in the order reports show them."""

LEVER_FAMILIES = LEVERS + ("context",)
"""Every family a feature may belong to; `context` explains but is never acted on."""

ROLES = ("SDR", "Account Executive", "Senior Account Executive", "Key Account Manager", "Team Lead")
"""The sales roles of the HRIS extract, from the first step of the career ladder to the last."""
