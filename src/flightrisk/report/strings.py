"""Words the report builds from names (a team's title); every sentence it shows is in `messages.py`."""

from __future__ import annotations


def swedish_genitive(name: str) -> str:
    """'Anna Svensson' -> 'Anna Svenssons', 'Lars' -> 'Lars', an id 'E0012' -> 'E0012:s'."""
    name = str(name)
    if not name or not name[-1].isalpha():
        return f"{name}:s"
    return name if name[-1].lower() in "sxz" else f"{name}s"


def team_title(t: dict, manager: str) -> str:
    """'Team of Anna Svensson' / 'Anna Svenssons team'."""
    return t["team_of"].format(manager=manager, manager_genitive=swedish_genitive(manager))
