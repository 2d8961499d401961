"""`Words`: one object per language, built where --lang is read; every language has every message;
numbers as the language writes them; an unknown language is refused, never turned into English."""

from __future__ import annotations

import string

import pytest

from flightrisk.errors import InputError
from flightrisk.i18n import words_for
from flightrisk.messages import LANGUAGES, MESSAGES


def test_every_language_has_every_message_with_the_same_fields():
    keys = {lang: set(MESSAGES[lang]) for lang in LANGUAGES}
    assert all(k == keys["en"] for k in keys.values()), {lang: keys["en"] ^ k for lang, k in keys.items()}
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    for key, text in MESSAGES["en"].items():
        if isinstance(text, str):
            for lang in LANGUAGES:
                other = fields(MESSAGES[lang][key])
                # A translation may leave a field out, never invent one the code does not fill ("none":
                # Swedish says "Ingen löneökning" where English says "No pay raise"; a manager's genitive).
                assert other <= fields(text) | {"none", "manager_genitive"}, (key, lang)


def test_numbers_points_and_months_as_each_language_writes_them():
    en, sv = words_for("en"), words_for("sv")
    assert en.number(1234.5) == "1,234.5" and sv.number(1234.5) == "1\u00a0234,5"
    assert en.number(3.0) == "3" and sv.number(12.25, 1) in ("12,2", "12,3")
    assert en.number(float("nan")) == "n/a" and sv.number(None) == "–"
    assert en.points(0.042) == "+4.2 points" and sv.points(-0.01) == "−1,0 procentenheter"
    assert en.points(0.0001) == "±0.0 points"
    assert en.months(1) == "1 month" and sv.months(143) == "143 månader (ungefär 12 år)"
    assert en.fixed(3, 1) == "3.0" and sv.fixed(3, 1) == "3,0"
    assert en.percent(0.696) == "70 %" and en.percent(0.001) == "< 1 %"


def test_an_unknown_language_is_refused_where_it_is_named(cli, model_world, tmp_path):
    with pytest.raises(InputError, match="speaks en, sv"):
        words_for("de")
    code, _, err = cli(
        "explain", "--model", model_world["model_dir"], "--input", model_world["features_path"],
        "--employee", "E000001", "--lang", "de",
    )  # fmt: skip
    assert code == 2 and "'de'" in err and "en, sv" in err
    code, _, err = cli(
        "report", "--model", model_world["model_dir"], "--scores", tmp_path / "none.parquet",
        "--out", tmp_path / "site", "--lang", "fi",
    )  # fmt: skip
    assert code == 2 and "'fi'" in err and not (tmp_path / "site").exists()
