"""The monthly hazard model: its label and censoring, the months ahead, exact contributions of the
horizon risk, calibration across horizons, no look at the holdout's outcomes, the folder round trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flightrisk.explain.contributions import explain_rows
from flightrisk.features.snapshots import NEXT_MONTH_LABEL
from flightrisk.i18n import words_for
from flightrisk.model.artifact import load_model, save_model
from flightrisk.model.hazard import horizon_labels, rows_ahead, split_log_cumulative_hazard
from flightrisk.model.hazard_train import train_hazard
from tests.conftest import MODEL_SETTINGS


@pytest.fixture(scope="module")
def hazard(model_world, tmp_path_factory):
    from flightrisk.features import load_catalog

    model, report = train_hazard(model_world["features"], load_catalog(), MODEL_SETTINGS, "test")
    folder = tmp_path_factory.mktemp("hazard") / "model"
    save_model(model, folder)
    return {"model": model, "report": report, "loaded": load_model(folder)}


def test_next_month_label_follows_the_exit_and_censors_involuntary_exits(model_world):
    features, employees = model_world["features"], model_world["tables"]["employees"]
    last_rows = features.sort_values("snapshot_date").groupby("employee_id").tail(1).set_index("employee_id")
    exits = employees.set_index("employee_id")
    data_last = features["snapshot_date"].max()
    voluntary = exits.index[exits["termination_type"] == "voluntary"].intersection(last_rows.index)
    involuntary = exits.index[exits["termination_type"] == "involuntary"].intersection(last_rows.index)
    assert len(voluntary) > 20 and len(involuntary) > 5
    gone_voluntary = [p for p in voluntary if last_rows.loc[p, "snapshot_date"] < data_last]
    assert (last_rows.loc[gone_voluntary, NEXT_MONTH_LABEL] == 1).all()
    # An involuntary exit is no "stayed": the month before it carries no label at all.
    gone_involuntary = [p for p in involuntary if last_rows.loc[p, "snapshot_date"] < data_last]
    assert last_rows.loc[gone_involuntary, NEXT_MONTH_LABEL].isna().all()
    # The last month of the extract has no next month yet.
    assert features.loc[features["snapshot_date"] == data_last, NEXT_MONTH_LABEL].isna().all()
    # Every other month of everyone is a 0 or a 1, and each person leaves at most once.
    earlier = features[features["snapshot_date"] < data_last]
    not_last = earlier.merge(last_rows[["snapshot_date"]], left_on="employee_id", right_index=True)
    not_last = not_last[not_last["snapshot_date_x"] < not_last["snapshot_date_y"]]
    assert (not_last[NEXT_MONTH_LABEL] == 0).all()


def test_horizon_labels_agree_with_the_twelve_month_label(model_world):
    features = model_world["features"]
    twelve = horizon_labels(features, 12)
    label = features["label"].astype(float).to_numpy()
    assert np.array_equal(np.isnan(twelve), np.isnan(label))
    known = ~np.isnan(label)
    assert np.array_equal(twelve[known], label[known])
    three, six = horizon_labels(features, 3), horizon_labels(features, 6)
    both = known & ~np.isnan(three)
    assert (three[both] <= six[both]).all() and (six[both] <= twelve[both]).all()
    assert (three[both] < twelve[both]).any()


def test_rows_ahead_roll_only_the_features_that_move():
    x = np.array([[5.0, np.nan, 2.0, 0.7], [0.0, 3.0, 0.0, 1.1]])
    steps = np.array([1.0, 1.0, -1.0, 0.0])
    ahead = rows_ahead(x, steps, 4).reshape(4, 2, 4)
    assert ahead[3, 0, 0] == 8.0 and np.isnan(ahead[2, 0, 1]) and ahead[3, 1, 1] == 6.0
    assert ahead[1, 0, 2] == 1.0 and ahead[3, 0, 2] == 0.0  # counts down to 0, never below
    assert (ahead[:, :, 3] == x[:, 3]).all()  # held


def test_split_of_the_log_cumulative_hazard_is_exact():
    rng = np.random.default_rng(0)
    phi = rng.normal(0, 0.3, size=(12, 50, 6))
    phi[:, :, -1] = -3.5  # the base value: the same every month
    log_hazards = phi.sum(axis=2)
    for horizon in (3, 6, 12):
        split = split_log_cumulative_hazard(phi, log_hazards, horizon)
        expected = np.log(np.exp(log_hazards[:horizon]).sum(axis=0))
        np.testing.assert_allclose(split.sum(axis=1), expected, atol=1e-12)


def test_contributions_add_up_to_the_twelve_month_risk(hazard, model_world):
    model = hazard["loaded"]
    features = model_world["features"]
    rows = features[features["snapshot_date"] == features["snapshot_date"].max()].head(150)
    phi = model.margin_contributions(rows)
    np.testing.assert_allclose(phi.sum(axis=1), model.margin(rows), atol=1e-9)
    explanation = explain_rows(model, rows)
    np.testing.assert_allclose(
        explanation.base_rate + explanation.feature_points.sum(axis=1), model.risk(rows), atol=1e-9
    )
    levers = explanation.lever_points()  # every family, context included
    np.testing.assert_allclose(explanation.base_rate + levers.sum(axis=1), model.risk(rows), atol=1e-9)


def test_horizon_risks_grow_with_the_horizon_and_the_twelve_month_one_is_the_risk(hazard, model_world):
    model = hazard["loaded"]
    rows = model_world["features"].tail(300)
    risks = model.horizon_risks(rows)
    assert list(risks.columns) == ["risk_3m", "risk_6m", "risk_12m"]
    assert (risks["risk_3m"] < risks["risk_6m"]).all() and (risks["risk_6m"] < risks["risk_12m"]).all()
    np.testing.assert_allclose(risks["risk_12m"], model.risk(rows), atol=1e-12)
    np.testing.assert_allclose(model.risk(rows), hazard["model"].risk(rows), atol=1e-12)  # round trip


def test_calibrated_at_each_horizon_on_the_holdout(hazard):
    horizons = hazard["report"].metrics["horizons"]
    assert set(horizons) == {"3m", "6m", "12m"}
    for figures in horizons.values():
        assert figures["ece"] < 0.06 and figures["roc_auc"] > 0.55
    assert horizons["12m"]["roc_auc"] == pytest.approx(hazard["report"].metrics["roc_auc"])


def test_the_holdout_model_never_learns_the_holdout_months(hazard, model_world):
    """Change every outcome from the holdout on; the holdout model's scores must not move."""
    from flightrisk.features import load_catalog

    features = model_world["features"].copy()
    start = pd.Timestamp(hazard["model"].metadata["holdout_window"][0])
    later = features["snapshot_date"] >= start
    flipped = features[NEXT_MONTH_LABEL].astype("Float64")
    features[NEXT_MONTH_LABEL] = (1 - flipped).where(later, flipped).astype("Int64")
    # The 12-month labels of the holdout are what it is measured on, not what it learns: keep them.
    other, _ = train_hazard(features, load_catalog(), MODEL_SETTINGS, "test")
    rows = model_world["features"][later].head(400)
    np.testing.assert_array_equal(other.holdout_risk(rows), hazard["model"].holdout_risk(rows))
    assert not np.allclose(other.risk(rows), hazard["model"].risk(rows))  # the production model does


def test_hazard_model_is_fair_to_compare_only_from_its_holdout_on(hazard):
    model = hazard["model"]
    start = pd.Timestamp(model.metadata["holdout_window"][0])
    rows = pd.DataFrame()  # never read when the comparison is refused
    assert model.holdout_risk(rows, unseen_from=start - pd.offsets.MonthEnd(1)) is None


def test_train_compares_both_kinds_and_keeps_the_better_one(cli, model_world, tmp_path, monkeypatch):
    from flightrisk.commands.train import TrainRequest, train_cli

    # The causal layer runs on whichever kind wins, here on a tenth of the people and with short
    # structural and nuisance fits (its figures are tested in tests/test_causal.py; in full it costs
    # ~20 s more).
    monkeypatch.setattr("flightrisk.explain.causal.MAX_FIT_ROWS", 1_500)
    monkeypatch.setattr("flightrisk.explain.causal.MAX_ROWS", 1_500)
    monkeypatch.setattr("flightrisk.explain.causal.MONTHS_MAX_ROWS", 1_500)
    monkeypatch.setattr("flightrisk.explain.causal.STRUCTURAL_ROUNDS", 100)
    monkeypatch.setattr("flightrisk.explain.causal.NUISANCE_ROUNDS", 50)

    class Console:
        said = []

        def print(self, text):
            self.said.append(text)

    out = tmp_path / "m"
    train_cli(
        TrainRequest(out, MODEL_SETTINGS, features_file=model_world["features_path"], register=False),
        Console(),
    )
    model = load_model(out)
    comparison = model.metadata["metrics"]["model_comparison"]
    assert {"classifier", "hazard", "chosen"} <= set(comparison)
    better = max(("classifier", "hazard"), key=lambda kind: comparison[kind]["roc_auc"])
    assert comparison["chosen"] == better
    assert model.kind == {"classifier": "snapshots", "hazard": "hazard"}[better]
    assert model.metadata["metrics"]["roc_auc"] == comparison[better]["roc_auc"]
    assert set(comparison["hazard"]["horizons"]) == {"3m", "6m", "12m"}
    assert any("Holdout ROC-AUC at 12 months: classifier" in said for said in Console.said)
    # The causal layer runs on either kind, the lever parts included. Without --raw the managers are
    # unknown: the check-ins are not tested within their manager, and the console says so.
    parts = model.metadata["part_effects"]
    assert model.metadata["lever_effects"] and set(parts) == {"attainment", "load", "check_ins"}
    assert "manager_held" not in parts["check_ins"]["monthly"] and parts["check_ins"]["manager_share"] == 1.0
    assert any("Without --raw the managers are unknown" in said for said in Console.said)
    # Nor is the team survey's reliability: a team action's shift is stored uncorrected, and said so.
    shift = model.metadata["team_shifts"]["celebrate_shared_wins"]
    assert shift["reliability"] == 1.0 and shift["reliability_measured"] is None and shift["people"] > 0
    assert any("The team survey's reliability is unknown" in said for said in Console.said)
    code, _, err = cli(
        "train", "--features", "x.parquet", "--out", "m2", "--no-register", "--model", "forest"
    )
    assert code == 2 and "--model 'forest'" in err


def test_scores_of_a_hazard_model_carry_the_horizons(cli, hazard, model_world, tmp_path, tmp_path_factory):
    folder = tmp_path / "hazard"
    save_model(hazard["model"], folder)
    latest = model_world["features"]
    latest = latest[latest["snapshot_date"] == latest["snapshot_date"].max()]
    latest.to_parquet(tmp_path / "latest.parquet", index=False)
    code, _, err = cli(
        "score",
        "--model",
        folder,
        "--input",
        tmp_path / "latest.parquet",
        "--out",
        tmp_path / "s.parquet",
        "--explain",
    )
    assert code == 0, err
    scores = pd.read_parquet(tmp_path / "s.parquet")
    assert {"risk_3m", "risk_6m", "risk_12m"} <= set(scores.columns)
    np.testing.assert_allclose(scores["risk_12m"], scores["risk"], atol=1e-12)
    assert (scores["risk_3m"] < scores["risk_6m"]).all()
    levers = scores[[c for c in scores.columns if c.startswith("lever_")]].sum(axis=1)
    np.testing.assert_allclose(scores["base_rate"] + levers, scores["risk"], atol=1e-9)


@pytest.fixture(scope="module")
def hazard_sites(hazard, model_world, tmp_path_factory):
    from flightrisk.report.site import build_site
    from flightrisk.score.batch import score_frame

    features = model_world["features"]
    latest = features[features["snapshot_date"] == features["snapshot_date"].max()].reset_index(drop=True)
    scores = score_frame(hazard["model"], latest, explain=True)
    sites = {}
    for lang in ("en", "sv"):
        out = tmp_path_factory.mktemp(f"hazard_site_{lang}") / "site"
        build_site(
            hazard["model"], scores, out, tables=model_world["tables"], features=latest, words=words_for(lang)
        )
        sites[lang] = out
    return {"scores": scores, "sites": sites}


def test_person_pages_of_a_hazard_model_show_how_soon_in_both_languages(hazard_sites):
    from flightrisk.report.site import page_slug

    row = hazard_sites["scores"].iloc[0]
    for lang, heading, months in (("en", "How soon", "12 months"), ("sv", "Hur snart", "12 månader")):
        html = (hazard_sites["sites"][lang] / "people" / f"{page_slug(row['employee_id'])}.html").read_text(
            "utf-8"
        )
        assert heading in html and 'id="survival"' in html and months in html
        for horizon in (3, 6, 12):
            assert words_for(lang).percent(float(row[f"risk_{horizon}m"])) in html
            assert words_for(lang).percent(1 - float(row[f"risk_{horizon}m"])) in html


@pytest.mark.browser
def test_the_how_soon_block_passes_axe(hazard_sites, browser_for_hazard):
    from axe_playwright_python.sync_playwright import Axe

    from flightrisk.report.site import page_slug

    page = browser_for_hazard.new_page()
    for lang in ("en", "sv"):
        person = page_slug(hazard_sites["scores"]["employee_id"].iloc[0])
        page.goto((hazard_sites["sites"][lang] / "people" / f"{person}.html").as_uri())
        result = Axe().run(page).response
        serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious and result["passes"], (lang, serious)
    page.close()


@pytest.fixture(scope="module")
def browser_for_hazard():
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        pytest.skip("no Chromium on this machine (make test installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (uv sync)")
    with sync_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_time_to_exit_agrees_with_every_horizon_label_and_censors_involuntary_exits(model_world):
    from flightrisk.model.hazard import time_to_exit

    features = model_world["features"]
    duration, event = time_to_exit(features)
    for horizon in (3, 6, 12):
        label = horizon_labels(features, horizon)
        known = ~np.isnan(label)
        np.testing.assert_array_equal(((event == 1) & (duration <= horizon))[known], label[known] == 1)
        # Whoever the label calls a stay is a stay past the horizon, or censored before it (involuntary).
        stays = known & (label == 0)
        assert ((duration > horizon) | (event == 0))[stays].all()
    unknown = pd.to_numeric(features[NEXT_MONTH_LABEL], errors="coerce").isna().to_numpy()
    involuntary = unknown & (features["snapshot_date"] < features["snapshot_date"].max()).to_numpy()
    assert involuntary.any() and (event[involuntary] == 0).all()
    assert (duration[involuntary] == 0.5).all()  # censored during the month after


def test_the_holdout_carries_ipcw_figures_for_both_kinds(hazard, model_world):
    from flightrisk.features import load_catalog
    from flightrisk.model.train import train_on_snapshots

    survival = hazard["report"].metrics["survival"]
    assert set(survival["horizons"]) == {"3", "6", "12"} and "integrated_brier" in survival
    # Censoring the few involuntary exits moves the 12-month AUC a little, not a lot.
    assert survival["horizons"]["12"]["roc_auc_ipcw"] == pytest.approx(
        hazard["report"].metrics["roc_auc"], abs=0.03
    )
    assert 0.55 < survival["uno_c"] < 0.9
    _, report = train_on_snapshots(model_world["features"], load_catalog(), MODEL_SETTINGS, "test")
    classifier = report.metrics["survival"]
    assert set(classifier["horizons"]) == {"12"} and "integrated_brier" not in classifier


def test_the_hazard_model_passes_the_model_checks(hazard, model_world, tmp_path):
    from flightrisk.model.checks import check_risk_model

    latest = model_world["features"].groupby("employee_id").tail(1).head(200).reset_index(drop=True)
    ran = check_risk_model(hazard["loaded"], latest, tmp_path)
    assert "check_horizon_risks_grow_with_the_horizon" in ran and len(ran) == 6


def test_a_table_without_exits_before_the_holdout_gets_a_clear_error_not_a_lightgbm_crash(model_world):
    """An unseen world once had 2 voluntary exits in four years: LightGBM's Poisson objective refused
    the labels with its own message. The table's problem is named instead, with what to do."""
    from flightrisk.errors import InputError
    from flightrisk.features import load_catalog

    features = model_world["features"].copy()
    known = features[NEXT_MONTH_LABEL].notna()
    features.loc[known, NEXT_MONTH_LABEL] = 0
    with pytest.raises(InputError) as caught:
        train_hazard(features, load_catalog(), MODEL_SETTINGS, "test")
    message = str(caught.value)
    assert NEXT_MONTH_LABEL in message and "0 voluntary exit(s)" in message
    assert "--model classifier" in message
