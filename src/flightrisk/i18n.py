"""Words the report and the CLI show, in English and Swedish."""

from __future__ import annotations

LEVER_NAMES = {
    "compensation": ("Pay and bonus", "Lön och bonus"),
    "development": ("Development", "Utveckling"),
    "recognition": ("Recognition", "Erkännande"),
    "workload": ("Workload and targets", "Arbetsbelastning och mål"),
    "leadership": ("Leadership", "Ledarskap"),
    "culture": ("Culture", "Kultur"),
    "context": ("Context", "Sammanhang"),
}
BANDS = {"low": ("low", "låg"), "medium": ("medium", "medel"), "high": ("high", "hög")}


def lever_name(family: str, lang: str) -> str:
    """A lever family's name in `lang`."""
    en, sv = LEVER_NAMES.get(family, (family, family))
    return sv if lang == "sv" else en


def band_name(band: str, lang: str) -> str:
    """A risk band's name in `lang`."""
    en, sv = BANDS.get(band, (band, band))
    return sv if lang == "sv" else en
