"""How sure a risk is, in plain words: whole percents, what people with such a score really did, and
what the bands mean against the average.

A calibrated 69.6 % is not known to a tenth of a percent; a reader is better served by "70 %" and by
what happened to the people who got such a score on data the model had not seen.
"""

from __future__ import annotations

from flightrisk.explain.narrative import number

# A bin needs this many people before "about 7 in 10 left" is said of it: with fewer the share
# moves by more than a tenth between samples and the sentence would be false precision too.
MIN_BIN_PEOPLE = 30


def whole_percent(risk: float, lang: str) -> str:
    """A probability as a whole percent: '70 %', '< 1 %', '> 99 %' ('–' when not known)."""
    if risk is None or risk != risk:
        return "–"
    if risk < 0.005:
        return "< 1 %"
    if risk > 0.995:
        return "> 99 %"
    return f"{round(risk * 100):d} %"


def _in_ten(share: float, lang: str) -> str:
    """'About 7 in 10' for shares a reader pictures in tens, 'About 6 in 100' below 15 %, 'Fewer than
    1 in 100' rather than a rounded 'About 0'."""
    sv = lang == "sv"
    about, of = ("Ungefär", "av") if sv else ("About", "in")
    if share >= 0.15:
        return f"{about} {round(share * 10):d} {of} 10"
    if round(share * 100) == 0:
        return f"Färre än 1 {of} 100" if sv else f"Fewer than 1 {of} 100"
    return f"{about} {round(share * 100):d} {of} 100"


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
    risk: float, bins: list[dict] | None, horizon: int | None, source: str, lang: str
) -> str:
    """What people with a score like this did when the model was tested, or why that cannot be said."""
    sv = lang == "sv"
    row = _bin_of(risk, bins or [])
    if not bins:
        return (
            "Modellen sparade inga testresultat per riskklass, så hur säker siffran är kan inte sägas."
            if sv
            else "The model kept no test results per score, so how sure this figure is cannot be said."
        )
    if row is None or row["n"] < MIN_BIN_PEOPLE:
        return (
            f"För få personer (färre än {MIN_BIN_PEOPLE}) fick en liknande risk när modellen prövades för att "
            "säga hur många av dem som slutade; läs siffran med försiktighet."
            if sv
            else f"Too few people (under {MIN_BIN_PEOPLE}) got a score like this when the model was tested to "
            "say how many of them left; read the figure with care."
        )
    low, high = (round(float(x) * 100) for x in row["range"].split("-"))
    share = _in_ten(float(row["observed"]), lang)
    n = number(row["n"], lang, 0)
    flat = source == "cross-validation"
    if sv:
        if flat or not horizon:
            return (
                f"{share} personer med en liknande risk hörde till dem som slutade, när modellen "
                f"prövades i korsvalidering ({n} personer med {low}–{high} %)."
            )
        return (
            f"{share} personer med en liknande risk slutade inom {horizon} månader när modellen "
            f"prövades på månader den inte hade sett ({n} personer med {low}–{high} %)."
        )
    if flat or not horizon:
        return (
            f"{share} people with a score like this were among the leavers when the model was "
            f"cross-validated ({n} people scored {low}–{high} %)."
        )
    return (
        f"{share} people with a score like this left within {horizon} months when the model was "
        f"tested on months it had not seen ({n} people scored {low}–{high} %)."
    )


def bands_sentence(bands: tuple[float, float], leaving_share: float, lang: str) -> str:
    """The bands in words, against the share of people who leave, which they are set around."""
    low, high = bands
    lo, hi, share = (whole_percent(v, lang) for v in (low, high, leaving_share))
    sv = lang == "sv"

    def against(threshold: float) -> str:
        ratio = threshold / leaving_share if leaving_share > 0 else float("nan")
        if ratio != ratio:
            return "–"
        if abs(ratio - 1) < 0.05:
            return "vid den" if sv else "at it"
        return f"vid {number(ratio, lang, 2)} gånger den" if sv else f"at {number(ratio, lang, 2)} times it"

    if sv:
        return (
            f"Riskklasser: låg under {lo}, medel {lo}–{hi}, hög {hi} eller mer. De är satta kring andelen som "
            f"slutar, {share}: medel börjar {against(low)} och hög {against(high)}."
        )
    return (
        f"Bands: low under {lo}, medium {lo}–{hi}, high {hi} or more. They are set around the share of people "
        f"who leave, {share}: medium starts {against(low)} and high {against(high)}."
    )
