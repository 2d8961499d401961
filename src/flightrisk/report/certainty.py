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
    """'7 in 10' for shares a reader pictures in tens, '6 in 100' below 15 %."""
    of = "av" if lang == "sv" else "in"
    if share >= 0.15:
        return f"{round(share * 10):d} {of} 10"
    return f"{max(round(share * 100), 1):d} {of} 100" if share > 0 else f"0 {of} 100"


def _bin_of(risk: float, bins: list[dict]) -> dict | None:
    for row in bins:
        low, high = (float(x) for x in row["range"].split("-"))
        if low <= risk < high or (high >= 1.0 and risk >= low):
            return row
    return None


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
        when = f"inom {horizon} månader" if horizon else "enligt tabellen"
        how = "i korsvalidering" if flat else "när modellen prövades på månader den inte hade sett"
        return f"Ungefär {share} personer med en liknande risk slutade {when} {how} ({n} personer med {low}–{high} %)."
    when = f"within {horizon} months" if horizon else "as the table records leaving"
    how = "in cross-validation" if flat else "when the model was tested on months it had not seen"
    return (
        f"About {share} people with a score like this left {when} {how} ({n} people scored {low}–{high} %)."
    )


def bands_sentence(bands: tuple[float, float], average: float, lang: str) -> str:
    """The bands in words, against the average risk they are set relative to."""
    low, high = bands
    lo, hi, avg = (whole_percent(v, lang) for v in (low, high, average))
    sv = lang == "sv"

    def against_average(threshold: float) -> str:
        ratio = threshold / average if average > 0 else float("nan")
        if ratio != ratio:
            return "–"
        if abs(ratio - 1) < 0.05:
            return "vid genomsnittet" if sv else "at the average"
        return (
            f"vid {number(ratio, lang, 1)} gånger genomsnittet"
            if sv
            else f"at {number(ratio, lang, 1)} times the average"
        )

    if sv:
        return (
            f"Riskklasser: låg under {lo}, medel {lo}–{hi}, hög {hi} eller mer. Den genomsnittliga risken är "
            f"{avg}, så medel börjar {against_average(low)} och hög {against_average(high)}."
        )
    return (
        f"Bands: low under {lo}, medium {lo}–{hi}, high {hi} or more. The average risk is {avg}, so medium "
        f"starts {against_average(low)} and high {against_average(high)}."
    )
