"""The k >= 5 rule: no number shown anywhere rests on fewer than five people.

Hiding small groups is not enough when a total is shown beside them: the total minus the shown
groups gives the hidden ones away. `shown_groups` also hides the smallest shown groups until the
people left out are none or at least k (complementary suppression).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

MIN_GROUP = 5


def shown_groups(
    sizes: dict[Hashable, int],
    total: int,
    k: int = MIN_GROUP,
    hidden_people: Callable[[set], int] | None = None,
) -> set:
    """The groups whose aggregates may be shown next to a total over `total` people.

    `hidden_people(shown)` counts the people outside the shown groups when groups overlap or
    people are counted more than once; by default it is `total` minus the shown sizes.
    """

    def left_out(shown: set) -> int:
        return hidden_people(shown) if hidden_people else total - sum(sizes[g] for g in shown)

    shown = {g for g, n in sizes.items() if n >= k}
    while shown and 0 < left_out(shown) < k:
        shown.remove(min(shown, key=lambda g: (sizes[g], str(g))))
    return shown
