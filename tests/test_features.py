"""Features: unit tests on tiny frames, the catalog contract, and no leakage from the future."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flightrisk import LEVER_FAMILIES
from flightrisk.errors import InputError
from flightrisk.features import build_snapshot_features, load_catalog
from flightrisk.features.catalog import catalog_from_dict
from flightrisk.features.snapshots import (
    NEXT_MONTH_LABEL,
    build_panel,
    months_between,
    peer_ratio,
    rolling_sum,
)
from flightrisk.schema import load_raw
from flightrisk.schema.raw import RAW_TABLES


def test_rolling_sum_stays_within_each_person():
    panel = pd.DataFrame({"employee_id": ["a", "a", "a", "b", "b"]})
    values = pd.Series([1.0, 2.0, 3.0, 10.0, 20.0])
    assert rolling_sum(panel, values, 2).tolist() == [1.0, 3.0, 5.0, 10.0, 30.0]


def test_months_between_counts_calendar_months():
    later = pd.Series(pd.to_datetime(["2024-03-31", "2024-03-31"]))
    earlier = pd.Series(pd.to_datetime(["2023-12-15", None]))
    result = months_between(later, earlier)
    assert result.iloc[0] == 3 and np.isnan(result.iloc[1])


def test_peer_ratio_falls_back_when_the_group_is_small():
    values = pd.Series([100.0, 200.0, 300.0, 400.0, 500.0, 50.0])
    fine = pd.Series(["x", "x", "x", "x", "x", "y"])  # "y" has one person: too few peers
    broad = pd.Series(["all"] * 6)
    ratio = peer_ratio(values, [[fine], [broad]])
    assert ratio.iloc[0] == pytest.approx(100 / 300)
    assert ratio.iloc[5] == pytest.approx(50 / 250)


def _tiny_tables(term_date, term_type):
    employees = pd.DataFrame(
        {
            "employee_id": ["a"],
            "hire_date": pd.to_datetime(["2020-01-01"]),
            "termination_date": pd.to_datetime([term_date]),
            "termination_type": [term_type],
        }
    )
    months = pd.date_range("2021-01-01", "2023-12-01", freq="MS")
    sales = pd.DataFrame({"employee_id": "a", "month": months})
    return {"employees": employees, "sales_performance": sales, "workload": sales}


def test_label_marks_voluntary_exits_within_the_horizon():
    panel = build_panel(_tiny_tables("2022-06-15", "voluntary"), horizon=12)
    labels = panel.set_index("snapshot_date")["label"]
    assert labels[pd.Timestamp("2021-05-31")] == 0  # exit is 13 months away
    assert labels[pd.Timestamp("2021-06-30")] == 1
    assert labels[pd.Timestamp("2022-05-31")] == 1
    assert pd.Timestamp("2022-06-30") not in labels.index  # gone by then


def test_involuntary_exit_is_not_a_positive():
    panel = build_panel(_tiny_tables("2022-06-15", "involuntary"), horizon=12)
    assert (panel["label"] == 0).all()


def test_label_is_empty_when_the_window_is_not_observable():
    panel = build_panel(_tiny_tables(None, None), horizon=12)
    labels = panel.set_index("snapshot_date")["label"]
    assert labels[pd.Timestamp("2022-12-31")] == 0
    assert pd.isna(labels[pd.Timestamp("2023-01-31")])


def test_catalog_is_complete_and_never_uses_protected_attributes():
    catalog = load_catalog()
    assert {f.lever for f in catalog.features} == set(LEVER_FAMILIES)
    assert not {"gender", "birth_year", "age"} & set(catalog.names)
    for spec in catalog.features:
        assert spec.label_en and spec.label_sv
        if spec.lever == "context":
            assert not spec.actionable
    for action in catalog.actions:
        levers = {catalog.feature(f).lever for f, _, _ in action.changes}
        # An action belongs to the lever it is taken for and may move another's features (a
        # promotion's raise), never a context feature.
        assert action.lever in levers and "context" not in levers
    # Workload is measured in two parts; no action changes both (each part scales its own actions).
    assert catalog.parts() == {"attainment": "workload", "load": "workload", "check_ins": "leadership"}
    assert all(f.part for f in catalog.features if f.lever == "workload")
    for action in catalog.actions:
        assert len({catalog.feature(f).part for f, _, _ in action.changes if catalog.feature(f).part}) <= 1
    # The manager team's past exits read the team's climate too: leadership's cause test holds them fixed.
    assert {f.name: f.also_reads for f in catalog.features if f.also_reads} == {
        "manager_team_exits_12m": "culture"
    }


@pytest.mark.parametrize(
    "mutate, fragment",
    [
        (lambda raw: raw["features"]["tenure_months"].update(lever="pay"), "lever must be one of"),
        (lambda raw: raw["features"]["tenure_months"].pop("label_en"), "needs 'label_en'"),
        (lambda raw: raw["features"]["tenure_months"].update(unit="fortnights"), "unit 'fortnights'"),
        (lambda raw: raw["actions"]["training_plan"]["changes"].update(nope={"set": 1}), "unknown feature"),
        (lambda raw: raw["features"]["role"].update(monotone=1), "monotone"),
        (lambda raw: raw["features"]["pto_days_12m"].update(part="culture"), "is a lever's name"),
        (lambda raw: raw["features"]["pto_days_12m"].update(part="two words"), "part must be a plain name"),
        (lambda raw: raw["features"]["tenure_months"].update(part="tenure"), "no lever to be a part of"),
        # A part is of one lever: recognition's features cannot join workload's attainment part.
        (lambda raw: raw["features"]["recognitions_6m"].update(part="attainment"), "a part is of one lever"),
        # A feature that also reads another lever's cause names a lever other than its own, outside parts.
        (lambda raw: raw["features"]["check_ins_3m"].update(also_reads="leadership"), "another lever"),
        (lambda raw: raw["features"]["check_ins_3m"].update(also_reads="morale"), "another lever"),
        (lambda raw: raw["features"]["tenure_months"].update(also_reads="culture"), "remove 'also_reads'"),
        (lambda raw: raw["features"]["pto_days_12m"].update(also_reads="culture"), "cannot be in a part"),
        # The manager is held fixed in a part's test on the months, so a feature outside parts cannot ask it.
        (lambda raw: raw["features"]["recognitions_6m"].update(within_manager=True), "name the part"),
        (lambda raw: raw["features"]["check_ins_3m"].update(within_manager="yes"), "true or false"),
    ],
)
def test_bad_catalogs_are_rejected(mutate, fragment):
    import copy

    raw = copy.deepcopy(load_catalog().raw)
    mutate(raw)
    with pytest.raises(InputError, match=fragment):
        catalog_from_dict(raw, "catalog.yaml")


def test_feature_table_has_ids_label_and_catalog_columns(small_raw_dir):
    catalog = load_catalog()
    table = build_snapshot_features(load_raw(small_raw_dir), catalog)
    assert list(table.columns) == ["employee_id", "snapshot_date", "label", NEXT_MONTH_LABEL, *catalog.names]
    assert table.duplicated(["employee_id", "snapshot_date"]).sum() == 0
    # The first snapshot comes after a full year of history; labels are 0/1 or empty.
    assert table["snapshot_date"].min() == pd.Timestamp("2023-01-31")
    assert set(table["label"].dropna().unique()) <= {0, 1}
    assert table["label"].isna().any() and table["label"].notna().any()


def test_as_of_builds_one_snapshot_equal_to_the_full_table(small_raw_dir):
    tables = load_raw(small_raw_dir)
    catalog = load_catalog()
    full = build_snapshot_features(tables, catalog)
    when = pd.Timestamp("2024-06-30")
    single = build_snapshot_features(tables, catalog, as_of=when)
    expected = full[full["snapshot_date"] == when].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        single.drop(columns=OUTCOMES), expected.drop(columns=OUTCOMES), check_dtype=False
    )


CUT = pd.Timestamp("2024-03-31")
# What happened after a snapshot: its labels, never its features (they may differ in a cut table).
OUTCOMES = ["label", NEXT_MONTH_LABEL]
# A value column to change in each dated table; the date column is the schema's own (one registry).
CHANGED_VALUE = {
    "compensation": "base_salary_monthly",
    "sales_performance": "bookings",
    "training": "hours",
    "workload": "avg_weekly_hours",
    "engagement_survey": "culture",
    "bonus_payouts": "paid_amount",
}
DATED = {name: (RAW_TABLES[name].date_column, column) for name, column in CHANGED_VALUE.items()}


@pytest.fixture(scope="module")
def leakage_base(small_raw_dir):
    tables = load_raw(small_raw_dir)
    catalog = load_catalog()
    full = build_snapshot_features(tables, catalog)
    return tables, catalog, full[full["snapshot_date"] <= CUT].drop(columns=OUTCOMES).reset_index(drop=True)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.sampled_from(sorted(DATED)),
    factor=st.floats(min_value=0.2, max_value=5.0),
    drop_share=st.floats(min_value=0.0, max_value=0.5),
    duplicate_share=st.floats(min_value=0.0, max_value=0.3),
    shuffle_exits=st.booleans(),
)
def test_changing_the_future_does_not_move_the_past(
    leakage_base, table, factor, drop_share, duplicate_share, shuffle_exits
):
    """Any change to records dated after CUT leaves every snapshot up to CUT untouched."""
    tables, catalog, before = leakage_base
    changed = {name: frame.copy() for name, frame in tables.items()}
    date_column, value_column = DATED[table]
    frame = changed[table]
    future = frame[date_column] > CUT
    frame.loc[future, value_column] = frame.loc[future, value_column] * factor
    rng = np.random.default_rng(0)
    future_rows = frame.index[future]
    dropped = rng.choice(future_rows, size=int(len(future_rows) * drop_share), replace=False)
    frame = frame.drop(index=dropped)
    extra = frame[frame[date_column] > CUT].sample(frac=duplicate_share, random_state=1)
    if table in ("training",):
        frame = pd.concat([frame, extra], ignore_index=True)  # more events in the future
    changed[table] = frame
    if shuffle_exits:
        employees = changed["employees"]
        later = employees["termination_date"] > CUT
        employees.loc[later, "termination_type"] = np.where(
            employees.loc[later, "termination_type"] == "voluntary", "involuntary", "voluntary"
        )
        changed["employees"] = employees
    after = build_snapshot_features(changed, catalog)
    after = after[after["snapshot_date"] <= CUT].drop(columns=OUTCOMES).reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after, check_dtype=False)


def test_features_are_deterministic(small_raw_dir):
    tables = load_raw(small_raw_dir)
    catalog = load_catalog()
    a = build_snapshot_features(tables, catalog)
    b = build_snapshot_features(tables, catalog)
    pd.testing.assert_frame_equal(a, b)
