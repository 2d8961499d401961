"""How sure a risk is, in plain words: whole percents, what people with such a score really did, and
what the bands mean against the average.

A calibrated 69.6 % is not known to a tenth of a percent; a reader is better served by "70 %" and by
what happened to the people who got such a score on data the model had not seen.
"""

from __future__ import annotations

from flightrisk.i18n import Words

# A bin needs this many people before "about 7 in 10 left" is said of it: with fewer the share
# moves by more than a tenth between samples and the sentence would be false precision too.
MIN_BIN_PEOPLE = 30


def _in_ten(share: float, words: Words) -> str:
    """'About 7 in 10' for shares a reader pictures in tens, 'About 6 in 100' below 15 %, 'Fewer than
    1 in 100' rather than a rounded 'About 0'."""
    if share >= 0.15:
        return words("about_in", n=round(share * 10), of=10)
    if round(share * 100) == 0:
        return words["fewer_than_1_in_100"]
    return words("about_in", n=round(share * 100), of=100)


def _bin_of(risk: float, bins: list[dict]) -> dict | None:
    """The calibration bin holding `risk`, widened toward the middle until it holds MIN_BIN_PEOPLE.

    The riskiest people are the few the page matters most for, and their own bin is often small; "of
    the 41 people scored 70–90 %" still says something true, where "too few" would say nothing.
    """
    ordered = sorted(bins, key=lambda row: float(row["range"].split("-")[0]))
    bounds = [tuple(float(x) for x in row["range"].split("-")) for row in ordered]
    home = next(
        (i for i, (low, high) in enumerate(bounds) if low <= risk < high or (high >= 1.0 and risk >= low)),
        None,
    )
    if home is None:
        return None
    first = last = home
    while sum(row["n"] for row in ordered[first : last + 1]) < MIN_BIN_PEOPLE and (
        first > 0 or last < len(ordered) - 1
    ):
        # Toward the middle: down from the upper half, up from the lower; the other way at an end.
        if first > 0 and (bounds[home][0] >= 0.5 or last == len(ordered) - 1):
            first -= 1
        else:
            last += 1
    rows = ordered[first : last + 1]
    n = sum(row["n"] for row in rows)
    return {
        "range": f"{bounds[first][0]:.1f}-{bounds[last][1]:.1f}",
        "observed": sum(row["observed"] * row["n"] for row in rows) / n,
        "n": n,
    }


def certainty_sentence(
    risk: float, bins: list[dict] | None, horizon: int | None, source: str, words: Words
) -> str:
    """What people with a score like this did when the model was tested, or why that cannot be said."""
    row = _bin_of(risk, bins or [])
    if not bins:
        return words["certainty_no_bins"]
    if row is None or row["n"] < MIN_BIN_PEOPLE:
        return words("certainty_too_few", min=MIN_BIN_PEOPLE)
    low, high = (round(float(x) * 100) for x in row["range"].split("-"))
    said = {"share": _in_ten(float(row["observed"]), words), "n": words.number(row["n"], 0), "low": low}
    if source == "cross-validation" or not horizon:
        return words("certainty_flat", **said, high=high)
    return words("certainty_months", **said, high=high, horizon=horizon)


def bands_sentence(bands: tuple[float, float], leaving_share: float, words: Words) -> str:
    """The bands in words, against the share of people who leave, which they are set around."""
    low, high = bands

    def against(threshold: float) -> str:
        ratio = threshold / leaving_share if leaving_share > 0 else float("nan")
        if ratio != ratio:
            return "–"
        if abs(ratio - 1) < 0.05:
            return words["at_it"]
        return words("at_times_it", ratio=words.number(ratio, 2))

    lo, hi, share = (words.percent(v) for v in (low, high, leaving_share))
    return words("bands_sentence", lo=lo, hi=hi, share=share, low_at=against(low), high_at=against(high))
