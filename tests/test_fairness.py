"""The fairness audit and gate: per-group gaps with intervals over people, what breaks a threshold,
agreement with fairlearn, the proxy check, and a world made unfair on purpose refused at registration."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from flightrisk.config import FairnessSettings
from flightrisk.model.fairness import audit_groups, proxy_check
from tests.conftest import MODEL_SETTINGS


def people_rows(n_people=1500, months=3, shift=0.0, seed=0) -> pd.DataFrame:
    """Rows of people in groups A and B whose true risk the score knows, except that group B's
    outcomes run `shift` above what the score says (a cause the score cannot see)."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["A", "B"], n_people)
    truth = rng.uniform(0.05, 0.45, n_people)
    rows = pd.DataFrame(
        {
            "employee_id": np.repeat([f"P{i}" for i in range(n_people)], months),
            "group": np.repeat(group, months),
            "risk": np.repeat(truth, months),
        }
    )
    true_rate = rows["risk"] + np.where(rows["group"] == "B", shift, 0.0)
    rows["label"] = (rng.uniform(size=len(rows)) < true_rate).astype(int)
    return rows


def test_a_fair_score_breaks_nothing_and_its_intervals_cover_no_gap():
    audit = audit_groups(people_rows(), ["group"], FairnessSettings(bootstrap=100))
    assert audit["breaches"] == []
    for figures in audit["groups"]["group"].values():
        interval = figures["intervals"]["calibration_gap"]
        assert interval["low"] < 0 < interval["high"] and figures["people"] > 600


def test_a_group_whose_risk_is_understated_breaks_the_calibration_threshold():
    audit = audit_groups(people_rows(shift=0.15), ["group"], FairnessSettings(bootstrap=100))
    assert any("group = B: risk under-states who leaves" in b for b in audit["breaches"])
    b = audit["groups"]["group"]["B"]
    assert (
        b["calibration_gap"] == pytest.approx(-0.15, abs=0.03)
        and b["intervals"]["calibration_gap"]["high"] < 0
    )
    # The same data with the gate's calibration check switched off breaks nothing.
    off = audit_groups(
        people_rows(shift=0.15), ["group"], FairnessSettings(bootstrap=50, max_calibration_gap=None)
    )
    assert not any("under-states" in b for b in off["breaches"])


def test_a_drift_of_everyones_calibration_is_no_unfairness_to_one_group():
    """Risk over-stated by 8 points for everyone (a model whose calibration drifted out of time) breaks
    no fairness threshold; the same drift in one group only does, and is named against everyone's."""
    everyone = people_rows(shift=0.0, seed=5)
    everyone["risk"] = (everyone["risk"] + 0.08).clip(upper=1)
    audit = audit_groups(everyone, ["group"], FairnessSettings(bootstrap=100))
    assert all(g["calibration_gap"] > 0.05 for g in audit["groups"]["group"].values())
    assert audit["breaches"] == []
    one = people_rows(shift=0.0, seed=5)
    one.loc[one["group"] == "B", "risk"] = (one.loc[one["group"] == "B", "risk"] + 0.16).clip(upper=1)
    audit = audit_groups(one, ["group"], FairnessSettings(bootstrap=100))
    assert [b["group"] for b in audit["breach_details"]] == ["B"]
    assert "group = B: risk over-states who leaves" in audit["breaches"][0]
    assert "against everyone's" in audit["breaches"][0]


def test_a_small_noisy_group_does_not_break_the_gate_on_noise():
    rows = people_rows(n_people=1500, shift=0.0, seed=3)
    few = rows["employee_id"].isin(rows["employee_id"].unique()[:12])
    rows.loc[few, "group"] = "C"
    rows.loc[few, "label"] = 1  # 12 people who all left: a large gap, but 12 people
    audit = audit_groups(rows, ["group"], FairnessSettings(bootstrap=100))
    c = audit["groups"]["group"]["C"]
    assert c["people"] == 12 and abs(c["calibration_gap"]) > 0.3
    # Every one of them left, so the bootstrap cannot doubt it: this one is credible and breaks.
    assert any("group = C" in b for b in audit["breaches"])
    # 4 of the 12 left where the score said 1 in 4: a gap of 0.083, past the threshold, but what 12
    # people show by chance (a third of 12, give or take 0.14): not credible, no breach.
    rows.loc[few, "risk"] = 0.25
    leavers = rows["employee_id"].isin(rows["employee_id"].unique()[:4])
    rows.loc[few, "label"] = leavers[few].astype(int)
    audit = audit_groups(rows, ["group"], FairnessSettings(bootstrap=100))
    c = audit["groups"]["group"]["C"]
    assert c["calibration_gap"] == pytest.approx(0.25 - 4 / 12) and abs(c["calibration_gap"]) > 0.05
    assert c["intervals"]["calibration_gap"]["low"] < 0 < c["intervals"]["calibration_gap"]["high"]
    assert not any("group = C: risk" in b for b in audit["breaches"])
    # (Their one shared risk ranks nobody within the group, and that, being certain, does break.)
    assert any("group = C: ranks this group worse" in b for b in audit["breaches"])


def test_our_group_figures_agree_with_fairlearn():
    from fairlearn.metrics import equalized_odds_difference

    rows = people_rows(shift=0.1, seed=1)
    settings = FairnessSettings(bootstrap=20)
    audit = audit_groups(rows, ["group"], settings)
    from fairlearn.metrics import MetricFrame, selection_rate

    flag = (rows["risk"] >= np.quantile(rows["risk"], 1 - settings.top_share)).astype(int)
    rates = (
        MetricFrame(
            metrics={"selection_rate": selection_rate},
            y_true=rows["label"],
            y_pred=flag,
            sensitive_features=rows["group"],
        )
        .by_group["selection_rate"]
        .to_dict()
    )
    for name, figures in audit["groups"]["group"].items():
        assert figures["flagged_share"] == pytest.approx(rates[name])
    flagged = (rows["risk"] >= np.quantile(rows["risk"], 0.9)).astype(int)
    ours = audit["gaps"]["group"]["equalized_odds_difference"]["value"]
    assert ours == pytest.approx(
        equalized_odds_difference(rows["label"], flagged, sensitive_features=rows["group"])
    )
    assert audit["group_equalized_odds_difference"] == pytest.approx(ours)


def test_the_proxy_check_names_a_feature_that_stands_in_for_a_group():
    rng = np.random.default_rng(0)
    n = 600
    gender = rng.choice(["female", "male"], n)
    frame = pd.DataFrame(
        {
            "part_time_hours": np.where(gender == "female", 30, 38) + rng.normal(0, 3, n),
            "quota": rng.normal(100, 10, n),
            "region": rng.choice(["North", "South"], n),
        }
    )
    found = proxy_check(frame, pd.DataFrame({"gender": gender}), ["part_time_hours", "quota"], ["region"])
    assert found["gender"]["best_group_vs_rest"]["roc_auc"] > 0.9
    assert list(found["gender"]["strong_proxies"]) == ["part_time_hours"]


@pytest.fixture(scope="module")
def unfair_features(model_world, tmp_path_factory):
    """The model world's features with women leaving far more than anything recorded explains: their
    stays turned into exits at random, a cause the model (which never sees gender) cannot read."""
    features = model_world["features"].copy()
    employees = model_world["tables"]["employees"]
    women = features["employee_id"].isin(employees.loc[employees["gender"] == "female", "employee_id"])
    rng = np.random.default_rng(0)
    stayed = features["label"].eq(0).fillna(False).to_numpy() & women.to_numpy()
    features.loc[stayed & (rng.uniform(size=len(features)) < 0.4), "label"] = 1
    path = tmp_path_factory.mktemp("unfair") / "features.parquet"
    features.to_parquet(path, index=False)
    return path


def test_the_gate_refuses_a_model_trained_on_a_world_made_unfair_and_an_override_is_recorded(
    model_world, unfair_features, tmp_path, without_causal_layer
):
    from flightrisk.commands.publish import publish_trained
    from flightrisk.commands.train import TrainRequest, train_cli
    from flightrisk.errors import InputError
    from flightrisk.model.artifact import load_model

    class Console:
        said = []

        def print(self, text):
            self.said.append(text)

    out = tmp_path / "m"
    request = TrainRequest(
        out,
        MODEL_SETTINGS,
        features_file=unfair_features,
        raw=model_world["raw"],
        register=False,
        kind="classifier",
    )
    with pytest.raises(InputError) as refused:
        train_cli(request, Console())
    message = str(refused.value)
    assert "registration refused" in message and "gender = female: risk under-states" in message
    assert "--fairness-override" in message
    assert not out.exists()  # not even as the first model
    candidate = load_model(tmp_path / "m.candidate")
    assert (
        candidate.metadata["gate"]["passed"] is False
        and candidate.metadata["metrics"]["fairness"]["breaches"]
    )
    # Each card says what broke in its own language, from the structured record.
    english = (tmp_path / "m.candidate" / "model_card.md").read_text(encoding="utf-8")
    swedish = (tmp_path / "m.candidate" / "model_card.sv.md").read_text(encoding="utf-8")
    assert "gender = female: risk under-states who leaves" in english and "top 10 % of risk" in english
    assert "gender = female: risken underskattar vilka som slutar" in swedish
    assert "under-states" not in swedish and "of risk" not in swedish and "de 10 % med högst risk" in swedish
    # The same candidate, with the analyst's reason: published, the reason recorded with it.
    report = SimpleNamespace(metrics=candidate.metadata["metrics"])
    reason = "a known data problem, accepted by the works council"
    publish_trained(candidate, report, out, False, "flightrisk", Console(), fairness_override=reason)
    model = load_model(out)
    assert (
        model.metadata["gate"]["fairness_override"] == "a known data problem, accepted by the works council"
    )
    assert "overridden: a known data problem" in model.metadata["gate"]["reason"]


def test_the_cli_wants_the_override_reason_in_words(cli):
    code, _, err = cli("train", "--features", "x.parquet", "--out", "m", "--fairness-override", "ok")
    assert code == 2 and "reason in words" in err
