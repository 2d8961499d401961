"""`Words`: everything language-dependent, built once per language and passed down instead of a
language code. Messages come from `messages.py` (one table per language, the same keys in each);
numbers are written as the language writes them through Babel (CLDR: decimal comma and a space
between thousands in Swedish). An unknown language is refused where it is named, never turned into
English further down.
"""

from __future__ import annotations

import dataclasses
import decimal
import functools
import math
from collections.abc import Mapping
from typing import Any

from babel.numbers import format_decimal

from flightrisk.errors import InputError
from flightrisk.messages import BANDS, LANGUAGES, LEVER_NAMES, MESSAGES, SINGULAR, UNITS, pair

LOCALES = {"en": "en_GB", "sv": "sv_SE"}  # Babel's locale for each language in messages.LANGUAGES


_TENTH = decimal.Decimal("0.1")


@functools.lru_cache(maxsize=16_384)
def _one_decimal(tenths: decimal.Decimal, locale: str) -> str:
    return format_decimal(tenths, format="0.0", locale=locale)


@dataclasses.dataclass(frozen=True)
class Words:
    """One language's words and number formats."""

    lang: str
    table: Mapping[str, Any]  # every message, by key (also the templates' `t`)
    locale: str

    def __getitem__(self, key: str) -> Any:
        return self.table[key]

    def __call__(self, key: str, **fields: Any) -> str:
        """The message `key` with its fields filled."""
        return self.table[key].format(**fields)

    def pair(self, values: tuple[str, str]) -> str:
        """This language's entry of an (en, sv) pair from `messages.py`."""
        return pair(values, self.lang)

    def lever(self, family: str) -> str:
        """A lever family's name."""
        return self.pair(LEVER_NAMES.get(family, (family, family)))

    def band(self, band: str) -> str:
        """A risk band's name."""
        return self.pair(BANDS.get(band, (band, band)))

    def number(self, value: float | None, digits: int = 1) -> str:
        """A number as a reader writes it: at most `digits` decimals, none trailing ('12.5', '3',
        '1,234.5' / '12,5', '3', '1 234,5'); a missing value as the language says it."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self.table["not_known"]
        pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def fixed(self, value: float, digits: int = 1) -> str:
        """A number with exactly `digits` decimals ('3.0' / '3,0'): a total a reader compares."""
        return format_decimal(value, format="#,##0." + "0" * digits, locale=self.locale)

    def points(self, value: float) -> str:
        """Probability points, always with one decimal and a sign: '+4.2 points', '−1.0 points' (never
        '1 points') / '+4,2 procentenheter'; '±0.0' when it rounds to nothing."""
        sign = "+" if value >= 0 else "−"
        if round(abs(value) * 100, 1) == 0:
            sign = "±"
        # Rounded as Babel rounds (the decimal context's half-even on the number's shortest repr), then
        # written once per (tenth, locale): a report writes hundreds of thousands of these.
        tenths = decimal.Decimal(str(abs(value) * 100)).quantize(_TENTH)
        return self("signed_points", sign=sign, value=_one_decimal(tenths, self.locale))

    def percent(self, risk: float | None) -> str:
        """A probability as a whole percent: '70 %', '< 1 %', '> 99 %' ('–' when not known)."""
        if risk is None or risk != risk:
            return "–"
        if risk < 0.005:
            return "< 1 %"
        if risk > 0.995:
            return "> 99 %"
        return f"{round(risk * 100):d} %"

    def months(self, n: float) -> str:
        """'1 month', '14 months', '143 months (about 12 years)': never '1 months'."""
        n = int(round(n))
        text = self("one_month" if n == 1 else "n_months", n=n)
        return self("about_years", months=text, years=round(n / 12)) if n >= 36 else text

    def unit(self, unit: str, singular: bool = False) -> str:
        """The unit's word after a number; singular after exactly 1 ("1 month", never "1 months")."""
        return self.pair((SINGULAR if singular and unit in SINGULAR else UNITS).get(unit, ("", "")))


@functools.cache
def words_for(lang: str) -> Words:
    """The words of `lang` ('en' or 'sv'); any other language is refused, naming those there are."""
    if lang not in LANGUAGES:
        raise InputError(f"--lang {lang!r}: flightrisk speaks {', '.join(LANGUAGES)}")
    return Words(lang, MESSAGES[lang], LOCALES[lang])


def lever_name(family: str, lang: str) -> str:
    """A lever family's name in `lang` (documents written in every language: the model card)."""
    return words_for(lang).lever(family)


def band_name(band: str, lang: str) -> str:
    """A risk band's name in `lang`."""
    return words_for(lang).band(band)
