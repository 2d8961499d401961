"""A flat table's own checks: copied rows and fold groups, leaking columns, composite ids, decimal commas."""

import numpy as np
import pandas as pd
import pytest
import yaml

from flightrisk.errors import InputError
from flightrisk.flat.catalog import check_against_table, flat_catalog_from_dict, id_values
from flightrisk.flat.duplicates import find_duplicates
from flightrisk.flat.leakage import LEAK_ROC_AUC, single_column_roc_auc
from flightrisk.model.flat_checks import check_flat_table
from flightrisk.model.flat_train import fold_splits
from tests.test_flat import CATALOG, _table


def _features(rows):
    return pd.DataFrame(rows, columns=["a", "b", "c", "d", "e"])


def test_exact_and_near_copies_are_found_and_chained_into_one_group():
    rows = [
        [1, "x", 3.5, "p", 10],  # 1
        [1, "x", 3.5, "p", 10],  # 2: exact copy of 1
        [1, "x", 3.5, "p", 11],  # 3: near copy of 1 (e differs)
        [1, "y", 3.5, "p", 11],  # 4: near copy of 3 only: chained into the same group
        [9, "z", 0.1, "q", 99],  # 5: nobody's copy
        [9, "z", 0.2, "r", 99],  # 6: differs from 5 in two values: not a copy
        [None, "w", 1.0, "s", 5],  # 7
        [None, "w", 1.0, "s", 5],  # 8: two empty cells are equal
    ]
    found = find_duplicates(_features(rows), labels=np.array([1, 0, 1, 1, 0, 0, 1, 1]))
    groups = found.groups
    assert groups[0] == groups[1] == groups[2] == groups[3]
    assert len({groups[4], groups[5], groups[0], groups[6]}) == 4 and groups[6] == groups[7]
    assert found.exact_rows == 4 and found.near_rows == 2
    assert found.conflicting_groups == 1  # rows 1 and 2: the same features, different outcomes
    assert found.examples[0] == (1, 2, 3, 4)
    summary = found.summary()
    assert summary["groups_of_copies"] == 2 and summary["exact_copies_with_both_labels"] == 1
    assert "rows 1, 2, 3, 4" in found.message() and "--group-by none" in found.message()


def test_with_few_features_only_exact_copies_count():
    frame = pd.DataFrame({"a": [1, 1, 2], "b": ["x", "y", "z"]})
    found = find_duplicates(frame)
    assert not found.near_checked and not found.any and len(set(found.groups)) == 3


def test_grouped_folds_never_split_a_group_and_stay_stratified():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    groups = np.arange(300) // 3  # groups of three rows
    for train, test in fold_splits(y, groups, 5, seed=1):
        assert not set(groups[train]) & set(groups[test])
        assert 0.3 < y[test].mean() < 0.7


def test_a_column_written_after_the_outcome_is_caught_and_a_real_driver_is_not():
    rng = np.random.default_rng(1)
    n = 600
    left = rng.random(n) < 0.3
    driver = rng.normal(size=n) + 0.8 * left  # a real, weak driver
    months_observed = np.where(left, rng.integers(1, 36, n), 36).astype(float)  # survival form
    splits = fold_splits(left.astype(int), None, 5, seed=0)
    assert single_column_roc_auc(pd.Series(months_observed), left.astype(int), True, splits) > LEAK_ROC_AUC
    assert single_column_roc_auc(pd.Series(driver), left.astype(int), True, splits) < 0.75
    label_text = pd.Series(np.where(left, "gone", "here"))  # a categorical copy of the label
    assert single_column_roc_auc(label_text, left.astype(int), False, splits) > 0.99


def _leaky(n=400):
    table = _table(n=n)
    table["exit_interview_done"] = np.where(table["left"] == "Yes", "yes", "no")
    return table


LEAKY_CATALOG = CATALOG.replace(
    "  grade: {",
    "  exit_interview_done: {lever: culture, type: categorical, unit: category, label_en: Exit interview}\n  grade: {",
)


def test_a_leaking_column_is_refused_with_what_to_do_unless_the_catalog_says_why():
    table = _leaky()
    flat = flat_catalog_from_dict(yaml.safe_load(LEAKY_CATALOG), "c.yaml")
    with pytest.raises(InputError) as info:
        check_flat_table(flat, table, "auto", 0, "c.yaml against t.csv")
    text = str(info.value)
    assert "'exit_interview_done' alone predicts who left with ROC-AUC 1.000" in text
    assert "table.ignore" in text and "table.strong_predictors" in text
    allowed = LEAKY_CATALOG.replace(
        "ignore: [site]}",
        "ignore: [site], strong_predictors: {exit_interview_done: 'a test of the escape hatch'}}",
    )
    flat = flat_catalog_from_dict(yaml.safe_load(allowed), "c.yaml")
    checks = check_flat_table(flat, table, "auto", 0, "c.yaml against t.csv")
    record = checks.record(flat.table.strong_predictors)
    assert record["strong_predictors"]["exit_interview_done"]["reason"] == "a test of the escape hatch"
    assert any("kept: a test of the escape hatch" in note for note in checks.notes)


def test_group_by_a_column_or_none_and_an_unknown_column_is_refused():
    table = _table(n=200)
    table = pd.concat([table, table.iloc[:20]], ignore_index=True)  # 20 exact copies
    flat = flat_catalog_from_dict(yaml.safe_load(CATALOG.replace("{id: person, ", "{")), "c.yaml")
    auto = check_flat_table(flat, table, "auto", 0, "src")
    assert auto.groups is not None and auto.duplicates.exact_rows == 40
    assert len(np.unique(auto.groups)) == 200 and "exact copies" in auto.notes[0]
    assert check_flat_table(flat, table, "none", 0, "src").groups is None
    table["site"] = [f"office-{i % 40}" for i in range(len(table))]  # an ignored column may group
    by_site = check_flat_table(flat, table, "site", 0, "src")
    assert len(np.unique(by_site.groups)) == 40 and "--group-by site" in by_site.notes[0]
    with pytest.raises(InputError, match="3 groups are too few for 5-fold"):
        check_flat_table(flat, table, "grade", 0, "src")
    with pytest.raises(InputError, match="--group-by 'team' is not a column"):
        check_flat_table(flat, table, "team", 0, "src")


def test_a_constant_feature_is_said():
    table = _table(n=200)
    table["grade"] = 2
    flat = flat_catalog_from_dict(yaml.safe_load(CATALOG), "c.yaml")
    checks = check_flat_table(flat, table, "auto", 0, "src")
    assert "grade" in checks.constant and any("one value in every row" in n for n in checks.notes)


def test_a_composite_id_joins_its_columns_and_a_repeated_single_id_suggests_one():
    table = _table(n=50)
    table["site"] = np.where(np.arange(50) % 2, "STO", "GBG")
    table["person"] = np.arange(50) // 2  # repeats across the two sites
    single = flat_catalog_from_dict(yaml.safe_load(CATALOG), "c.yaml")
    with pytest.raises(InputError) as info:
        check_against_table(single, table, "c.yaml")
    assert "id [site, number]" in str(info.value).replace("id: [site, number]", "id [site, number]")
    composite_text = CATALOG.replace("{id: person, ", "{id: [site, person], ").replace(
        "ignore: [site]", "ignore: []"
    )
    composite = flat_catalog_from_dict(yaml.safe_load(composite_text), "c.yaml")
    check_against_table(composite, table, "c.yaml")
    ids = id_values(composite.table, table)
    assert ids.iloc[0] == "GBG:0" and ids.iloc[1] == "STO:0" and ids.is_unique


def test_numbers_with_decimal_commas_in_a_semicolon_file_are_numbers_for_training_too(tmp_path):
    from flightrisk.io import read_table

    table = _table(n=60)
    table["pay"] = table["pay"] + 0.25
    path = tmp_path / "people.csv"
    table.to_csv(path, sep=";", decimal=",", index=False)
    flat = flat_catalog_from_dict(yaml.safe_load(CATALOG), "c.yaml")
    check_against_table(flat, read_table(path), "c.yaml")  # before: "non-numbers ... declare it categorical"
    broken = path.read_text(encoding="utf-8").replace(",25;", ".25;", 1)
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(InputError) as info:
        check_against_table(flat, read_table(path), "c.yaml")
    assert "uses '.' in a ';'-separated file" in str(info.value) and "categorical" not in str(info.value)


def test_rows_alike_by_chance_on_common_values_are_not_called_copies():
    """Yes/no answers and 1-4 scores: many different people agree on all but one of them."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({c: rng.integers(0, 3, 500) for c in "abcd"} | {"e": rng.normal(size=500)})
    found = find_duplicates(frame)
    assert found.near_checked and found.near_rows == 0
    frame.loc[499] = frame.loc[0]  # a true copy is still found
    frame.loc[498] = frame.loc[1].to_numpy()
    frame.loc[498, "a"] = (
        frame.loc[1, "a"] + 1
    ) % 3  # one common value changed: the rare number still ties them
    found = find_duplicates(frame)
    assert found.exact_rows == 2 and found.near_rows == 2


def test_too_few_leavers_for_the_folds_is_a_clear_refusal():
    table = _table(n=200)
    table["left"] = "No"
    table.loc[:5, "left"] = "Yes"  # 6 leavers: fewer than two per fold of 5
    flat = flat_catalog_from_dict(yaml.safe_load(CATALOG), "c.yaml")
    with pytest.raises(InputError, match=r"only 6 row\(s\) say 'Yes' \(left\) in 'left'.*at least 10"):
        check_flat_table(flat, table, "auto", 0, "src")
