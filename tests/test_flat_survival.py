"""Flat tables in survival form: months observed and an event flag, a hazard model, risk at horizons."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from flightrisk.errors import InputError
from flightrisk.flat.catalog import TIME_AXIS, check_against_table, flat_catalog_from_dict
from tests.conftest import SHARED, run_in_process

CATALOG = """
table:
  id: person
  duration: months
  event: left
  positive: "yes"
  negative: "no"
  horizons: [3, 6, 12]
  protected: [gender]
features:
  overtime: {lever: workload, type: categorical, unit: category, label_en: Overtime, label_sv: Övertid}
  pay_gap: {lever: compensation, unit: ratio, monotone: -1, label_en: Pay against peers, label_sv: Lön mot kollegor}
  noise: {lever: culture, unit: score, label_en: A column with no effect, label_sv: En kolumn utan effekt}
actions:
  end_overtime:
    lever: workload
    text_en: End overtime
    text_sv: Avsluta övertid
    changes: {overtime: {set: "no"}}
"""


def survival_table(n=400, seed=0) -> pd.DataFrame:
    """People with an exponential time to leaving whose hazard overtime triples and pay lowers;
    observation ends (censoring) at a uniform 1-36 months."""
    rng = np.random.default_rng(seed)
    overtime = rng.choice(["yes", "no"], n, p=[0.4, 0.6])
    pay_gap = rng.normal(1.0, 0.15, n)
    monthly = 0.02 * np.where(overtime == "yes", 3.0, 1.0) * np.exp(-4.0 * (pay_gap - 1.0))
    leave_at = rng.exponential(1.0 / monthly)
    end = rng.uniform(1.0, 36.0, n)
    return pd.DataFrame(
        {
            "person": np.arange(1, n + 1),
            "months": np.round(np.minimum(leave_at, end), 2),
            "left": np.where(leave_at <= end, "yes", "no"),
            "overtime": overtime,
            "pay_gap": pay_gap.round(3),
            "noise": rng.normal(0, 1, n).round(3),
            "gender": rng.choice(["F", "M"], n),
        }
    )


def _flat(text=CATALOG):
    return flat_catalog_from_dict(yaml.safe_load(text), "c.yaml")


@pytest.fixture(scope="module")
def trained():
    from flightrisk.model.flat_hazard_train import train_flat_survival

    table = survival_table()
    model, report = train_flat_survival(_flat(), table, "h", seed=0)
    return table, model, report


def test_a_survival_catalog_reads_duration_event_and_horizons():
    flat = _flat()
    assert flat.table.survival and flat.table.duration_column == "months"
    assert flat.table.label_column == "left" and flat.table.horizons == (3, 6, 12)
    check_against_table(flat, survival_table(50), "t")  # fits its table


@pytest.mark.parametrize(
    "change, fragment",
    [
        (("  duration: months\n", "  duration: months\n  label: left\n"), "not both"),
        (("  horizons: [3, 6, 12]", "  horizons: [12, 6]"), "rising"),
        (("  horizons: [3, 6, 12]", "  horizons: [0]"), "whole months from 1"),
        (("  event: left\n", ""), "table.event is required"),
    ],
)
def test_survival_catalogs_that_make_no_sense_are_refused(change, fragment):
    with pytest.raises(InputError) as caught:
        _flat(CATALOG.replace(*change))
    assert fragment in str(caught.value) + " ".join(caught.value.problems)


def _problems(table, text=CATALOG):
    with pytest.raises(InputError) as caught:
        check_against_table(_flat(text), table, "t")
    return " ".join(caught.value.problems)


def test_a_duration_that_is_no_number_of_months_is_refused_with_its_rows():
    table = survival_table(50)
    table["months"] = table["months"].astype(object)
    table.loc[3, "months"] = "soon"
    table.loc[5, "months"] = -2.0
    table.loc[7, "months"] = None
    problems = _problems(table)
    assert "not a number in rows [4]" in problems
    assert "below 0 in rows [6]" in problems and "empty in rows [8]" in problems


def test_the_duration_can_never_be_a_feature():
    text = CATALOG.replace(
        "features:\n", "features:\n  months: {lever: context, unit: months, label_en: M, label_sv: M}\n"
    )
    assert "cannot be a feature" in _problems(survival_table(50), text)


def test_the_hazard_model_finds_the_causes_and_beats_nothing_it_should_not(trained):
    _, model, report = trained
    survival = report.metrics["survival"]
    assert survival["uno_c"] > 0.65 and survival["harrell_c"] > 0.65
    assert all(h["roc_auc_ipcw"] > 0.65 for h in survival["horizons"].values())
    assert set(report.metrics["baselines"]) == {"cox", "weibull_aft"}
    # The true hazard is proportional (Cox's own form): Cox must be close, and the gate compares with it.
    cox = report.metrics["baselines"]["cox"]["survival"]["uno_c"]
    assert abs(survival["uno_c"] - cox) < 0.05
    gain = dict(zip(report.importance["feature"], report.importance["gain"], strict=True))
    assert gain["overtime"] > gain["noise"] and gain["pay_gap"] > gain["noise"]
    assert "months" not in model.catalog.names and model.catalog.names[-1] == TIME_AXIS


def test_calibration_at_each_horizon_is_honest(trained):
    """Mean risk against the censoring-weighted share of leavers per horizon; the binned ECE is on about
    30 people a bin here, whose binomial noise alone is about 0.06."""
    _, _, report = trained
    for h in report.metrics["survival"]["horizons"].values():
        assert h["ece_ipcw"] < 0.1
        assert h["mean_risk"] == pytest.approx(h["observed_share_ipcw"], abs=0.03)


def test_horizon_risks_rise_and_split_exactly_into_contributions(trained):
    table, model, _ = trained
    frame = model.prepare(table)
    risks = model.horizon_risks(frame)
    assert (np.diff(risks.to_numpy(), axis=1) >= -1e-12).all()
    np.testing.assert_allclose(model.risk(frame), risks["risk_12m"], atol=1e-9)
    contributions = model.margin_contributions(frame)
    np.testing.assert_allclose(contributions.sum(axis=1), model.margin(frame), atol=1e-8)


def test_risk_speaks_of_the_coming_months_from_the_months_observed(trained):
    """A person observed longer is scored from there (the time axis), the duration never read as a
    feature: the same person at 0 and at 20 months differs only through the hazard's time axis."""
    table, model, _ = trained
    person = table.iloc[[0, 0]].reset_index(drop=True)
    person.loc[0, "months"], person.loc[1, "months"] = 0.0, 20.0
    frame = model.prepare(person)
    assert frame[TIME_AXIS].tolist() == [0.0, 20.0]
    features = [n for n in model.catalog.names if n != TIME_AXIS]
    pd.testing.assert_frame_equal(frame.loc[[0], features], frame.loc[[1], features].set_axis([0]))


def test_training_is_reproducible():
    from flightrisk.model.flat_hazard_train import train_flat_survival

    table = survival_table(200, seed=3)
    first, _ = train_flat_survival(_flat(), table, "h", seed=1)
    second, _ = train_flat_survival(_flat(), table, "h", seed=1)
    assert first.booster.model_to_string() == second.booster.model_to_string()
    assert first.calibration == second.calibration


def test_survival_metrics_reward_the_right_order_and_weigh_the_censored():
    from flightrisk.model.survival_metrics import horizon_outcome, survival_metrics

    rng = np.random.default_rng(0)
    n = 3000
    rate = np.exp(rng.normal(-3.0, 0.8, n))
    leave = rng.exponential(1 / rate)
    end = rng.uniform(1, 30, n)
    duration, event = np.minimum(leave, end), leave <= end
    months = np.arange(1, 13)
    true_risk = 1 - np.exp(-rate[:, None] * months[None, :])
    good = survival_metrics(duration, event, true_risk, (3, 6, 12))
    blind = survival_metrics(
        duration, event, np.tile(true_risk.mean(axis=0), (n, 1)) + rng.normal(0, 1e-6, (n, 12)), (3, 6, 12)
    )
    noisy_rate = rate * np.exp(rng.normal(0, 0.8, n))  # half the signal
    noisy = survival_metrics(duration, event, 1 - np.exp(-noisy_rate[:, None] * months[None, :]), (3, 6, 12))
    assert good["uno_c"] > noisy["uno_c"] + 0.05 > 0.6 and abs(blind["uno_c"] - 0.5) < 0.05
    assert good["horizons"]["12"]["roc_auc_ipcw"] > noisy["horizons"]["12"]["roc_auc_ipcw"] > 0.6
    assert good["integrated_brier"] < blind["integrated_brier"]
    # The IPCW share of leavers by 12 months recovers the true share despite heavy censoring; the
    # share among those whose outcome is known (the censored dropped) overstates it.
    y, weight = horizon_outcome(duration, event, 12)
    truth = float(true_risk[:, 11].mean())
    assert np.sum(weight * y) / weight.sum() == pytest.approx(truth, abs=0.02)
    assert y[weight > 0].mean() > truth + 0.03


@pytest.mark.slow
def test_the_cli_trains_scores_and_reports_a_survival_table(tmp_path):
    table = survival_table(300, seed=5)
    table_path, catalog_path = tmp_path / "people.csv", tmp_path / "catalog.yaml"
    table.to_csv(table_path, index=False)
    catalog_path.write_text(CATALOG, encoding="utf-8")
    model_dir, scores_path = tmp_path / "model", tmp_path / "scores.csv"
    done = run_in_process(
        "train",
        "--table",
        table_path,
        "--catalog",
        catalog_path,
        "--out",
        model_dir,
        "--no-register",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "Uno's C" in done.stdout + done.stderr and "cox" in done.stdout + done.stderr
    meta = json.loads((model_dir / "metadata.json").read_text())
    assert meta["kind"] == "flat_hazard" and meta["horizons"] == [3, 6, 12]
    assert meta["metrics"]["gate_baseline"] == "cox"
    done = run_in_process(
        "score", "--model", model_dir, "--input", table_path, "--out", scores_path, "--explain", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    scores = pd.read_csv(scores_path)
    assert {"risk_3m", "risk_6m", "risk_12m"} <= set(scores.columns) and len(scores) == len(table)
    np.testing.assert_allclose(scores["risk"], scores["risk_12m"])
    # Scoring needs the months observed so far; without them it says so and writes nothing.
    table.drop(columns="months").to_csv(tmp_path / "no_months.csv", index=False)
    done = run_in_process(
        "score",
        "--model",
        model_dir,
        "--input",
        tmp_path / "no_months.csv",
        "--out",
        tmp_path / "x.csv",
        cwd=tmp_path,
    )
    assert done.returncode == 2 and "months" in done.stderr and not (tmp_path / "x.csv").exists()
    done = run_in_process(
        "report",
        "--model",
        model_dir,
        "--scores",
        scores_path,
        "--table",
        table_path,
        "--out",
        tmp_path / "site",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    page = next((tmp_path / "site" / "people").glob("*.html")).read_text(encoding="utf-8")
    assert "How soon" in page


@pytest.mark.skipif(
    not (SHARED / "data" / "turnover_babushkin.csv").exists(), reason="needs ../shared/data (CI has it)"
)
@pytest.mark.slow
def test_the_turnover_table_trains_through_its_survival_catalog(tmp_path, quick_table_fits):
    from pathlib import Path

    catalog = Path(__file__).resolve().parents[1] / "configs" / "catalogs" / "turnover_survival.yaml"
    table = SHARED / "data" / "turnover_babushkin.csv"
    model_dir = tmp_path / "model"
    done = run_in_process(
        "train",
        "--table",
        table,
        "--catalog",
        catalog,
        "--out",
        model_dir,
        "--no-register",
        "--fairness-override",
        "people aged 40-49 under-stated; reviewed, a test of the flow",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    metrics = json.loads((model_dir / "metadata.json").read_text())["metrics"]
    ours, cox = metrics["survival"], metrics["baselines"]["cox"]["survival"]
    assert ours["people"] == 1129 and ours["uno_c"] > 0.58 and ours["harrell_c"] > 0.58
    assert ours["horizons"]["12"]["roc_auc_ipcw"] > 0.58 and cox["uno_c"] > 0.55
    scores_path = tmp_path / "scores.csv"
    done = run_in_process(
        "score", "--model", model_dir, "--input", table, "--out", scores_path, "--explain", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    done = run_in_process(
        "report",
        "--model",
        model_dir,
        "--scores",
        scores_path,
        "--table",
        table,
        "--out",
        tmp_path / "site",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    # A personality test's scores are the person's own answers: never on a page, not even as context.
    for page in list((tmp_path / "site" / "people").glob("*.html"))[:200]:
        text = page.read_text(encoding="utf-8")
        assert "Anxiety score:" not in text and "Extraversion score:" not in text


def test_the_flat_survival_model_passes_the_model_checks(trained, tmp_path):
    from flightrisk.model.checks import check_risk_model

    table, model, _ = trained
    assert len(check_risk_model(model, table.head(200), tmp_path)) == 6
