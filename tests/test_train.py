"""Training: honest split, calibration, determinism, safe artifacts, MLflow gate."""

import json

import numpy as np
import pandas as pd
import pytest

from flightrisk.config import TrainSettings
from flightrisk.errors import InputError
from flightrisk.model.artifact import load_model, save_model
from flightrisk.model.gate import passes_baseline as passes_gate
from flightrisk.model.metrics import expected_calibration_error, holdout_metrics
from flightrisk.model.train import split_by_time, train_on_snapshots
from tests.conftest import run_in_process

SPEC_METRICS = {"roc_auc", "pr_auc", "brier", "ece", "precision_at_10pct", "lift_at_10pct", "n", "positives"}


def test_split_is_by_time_and_learns_only_outcomes_known_when_the_holdout_begins():
    months = pd.Series(pd.date_range("2023-01-31", periods=24, freq="ME"))
    split = split_by_time(months, TrainSettings(holdout_months=4, validation_months=3))
    assert len(split.holdout_months) == 4 and len(split.validation_months) == 3
    assert split.validation_months == split.train_months[-3:]
    # The last training month's 12-month window closes at the first holdout month, not after it.
    last, first_holdout = split.train_months[-1], split.holdout_months[0]
    assert last + pd.offsets.MonthEnd(12) == first_holdout
    assert len(split.embargo_months) == 11 and max(split.embargo_months) < first_holdout
    assert len(split.train_months) == 24 - 4 - 11


def test_the_holdout_model_never_learns_an_outcome_unknown_when_the_holdout_begins(model_world):
    """Changing every outcome that was still open at the first holdout month (the embargoed months'
    and the holdout's own) leaves the holdout model exactly as it was; early stopping reads only
    people it never trained on."""
    import dataclasses

    from flightrisk.features import load_catalog
    from flightrisk.model.train import validation_people
    from tests.conftest import MODEL_SETTINGS

    settings = dataclasses.replace(MODEL_SETTINGS, max_rounds=60)
    features = model_world["features"]
    labelled = features.dropna(subset=["label"])
    split = split_by_time(labelled["snapshot_date"], settings)
    open_then = features["label"].notna() & (features["snapshot_date"] > max(split.train_months))
    assert open_then.sum() > 0
    changed = features.copy()
    changed.loc[open_then, "label"] = 1 - changed.loc[open_then, "label"]
    catalog = load_catalog()
    model, _ = train_on_snapshots(features, catalog, settings, "a")
    again, _ = train_on_snapshots(changed, catalog, settings, "b")
    holdout = labelled[labelled["snapshot_date"].isin(split.holdout_months)]
    np.testing.assert_array_equal(model.holdout_risk(holdout), again.holdout_risk(holdout))
    assert model.metadata["embargo_months"] == settings.horizon_months - 1
    held_out = validation_people(labelled["employee_id"], settings.validation_share, settings.seed)
    assert 0.15 < held_out.mean() < 0.35


def test_split_refuses_too_short_histories():
    months = pd.Series(pd.date_range("2023-01-31", periods=20, freq="ME"))
    with pytest.raises(InputError, match="labelled snapshot months.*not yet known"):
        split_by_time(months, TrainSettings())


def test_metrics_on_a_hand_made_case():
    y = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    p = np.array([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.3, 0.8, 0.9])
    metrics = holdout_metrics(y, p)
    assert set(metrics) == SPEC_METRICS
    assert metrics["roc_auc"] == 1.0 and metrics["precision_at_10pct"] == 1.0
    assert metrics["lift_at_10pct"] == pytest.approx(5.0)
    assert expected_calibration_error(np.array([0, 1]), np.array([0.5, 0.5])) == pytest.approx(0.0)


def test_model_beats_the_prior_and_the_tenure_baseline(model_world):
    metrics = model_world["report"].metrics
    assert SPEC_METRICS <= set(metrics)
    assert set(metrics["baselines"]) == {"logistic_regression", "tenure_role", "prior"}
    assert metrics["roc_auc"] > metrics["baselines"]["prior"]["roc_auc"]
    assert metrics["roc_auc"] > metrics["baselines"]["tenure_role"]["roc_auc"]
    assert metrics["brier"] < metrics["baselines"]["prior"]["brier"] * 1.02


def test_training_is_deterministic(model_world):
    features = model_world["features"]
    from flightrisk.features import load_catalog
    from tests.conftest import MODEL_SETTINGS

    again, _ = train_on_snapshots(features, load_catalog(), MODEL_SETTINGS, "test")
    original = model_world["model"]
    assert again.booster.model_to_string() == original.booster.model_to_string()
    assert again.calibration == original.calibration
    np.testing.assert_array_equal(again.risk(features.head(500)), original.risk(features.head(500)))


def test_model_directory_holds_no_pickles_and_round_trips(model_world, tmp_path):
    model_dir = model_world["model_dir"]
    suffixes = {p.suffix for p in model_dir.iterdir()}
    assert suffixes <= {".txt", ".json", ".yaml"}
    for path in model_dir.iterdir():
        assert not path.read_bytes().startswith(b"\x80"), f"{path.name} looks like a pickle"
    reloaded = load_model(model_dir)
    rows = model_world["features"].head(300)
    np.testing.assert_allclose(reloaded.risk(rows), model_world["model"].risk(rows))
    meta = json.loads((model_dir / "metadata.json").read_text())
    for key in (
        "train_window",
        "holdout_window",
        "horizon_months",
        "data_sha256",
        "package_versions",
        "metrics",
    ):
        assert key in meta


def test_tampered_model_is_refused(model_world, tmp_path):
    import shutil

    copy = tmp_path / "model"
    shutil.copytree(model_world["model_dir"], copy)
    with open(copy / "calibration.json", "a") as handle:
        handle.write(" ")
    with pytest.raises(InputError, match="SHA-256"):
        load_model(copy)


def test_gate_promotes_only_a_model_that_beats_logistic_regression():
    assert passes_gate({"roc_auc": 0.70, "baselines": {"logistic_regression": {"roc_auc": 0.65}}})[0]
    assert not passes_gate({"roc_auc": 0.60, "baselines": {"logistic_regression": {"roc_auc": 0.65}}})[0]
    assert not passes_gate({})[0]


@pytest.mark.slow
def test_registry_moves_champion_only_through_the_gate(model_world, tmp_path, monkeypatch):
    from mlflow import MlflowClient

    from flightrisk import tracking

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    good = {"roc_auc": 0.7, "baselines": {"logistic_regression": {"roc_auc": 0.6}}}
    bad = {"roc_auc": 0.5, "baselines": {"logistic_regression": {"roc_auc": 0.6}}}
    # With artifacts beside the model, as training logs them (a loop over them once renamed the model).
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    first = tracking.log_training_run(
        model_world["model_dir"], {"seed": 0}, good, {"importance_table": tmp_path / "notes.csv"}
    )
    second = tracking.log_training_run(model_world["model_dir"], {"seed": 0}, bad, {})
    client = MlflowClient()
    champion = client.get_model_version_by_alias("flightrisk", "champion")
    assert [m.name for m in client.search_registered_models()] == ["flightrisk"]
    assert first["promoted"] and not second["promoted"]
    assert str(champion.version) == first["version"]
    # The registered model loads back as a directory our loader accepts (no pickles involved).
    with tracking.registered_model_dir("models:/flightrisk@champion") as local:
        assert load_model(local).booster.model_to_string() == model_world["model"].booster.model_to_string()
    assert not local.exists()  # the download is removed: a monthly job leaves no copy behind
    assert tracking.load_champion("flightrisk").metadata == load_model(model_world["model_dir"]).metadata
    # Scoring from the registry leaves no downloaded copy behind either.
    import tempfile
    from pathlib import Path

    from tests.conftest import run_in_process

    downloads = set(Path(tempfile.gettempdir()).glob("flightrisk-model-*"))
    latest = model_world["features"].tail(50)
    latest.to_parquet(tmp_path / "latest.parquet", index=False)
    done = run_in_process(
        "score",
        "--model",
        "models:/flightrisk@champion",
        "--input",
        tmp_path / "latest.parquet",
        "--out",
        tmp_path / "scores.parquet",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert set(Path(tempfile.gettempdir()).glob("flightrisk-model-*")) <= downloads
    record = json.loads((tmp_path / "scores.parquet.run.json").read_text())
    assert record["model"]["directory"] == "models:/flightrisk@champion"


def test_evaluate_cli_writes_spec_metrics_with_oracle(model_world, tmp_path):
    out = tmp_path / "metrics.json"
    done = run_in_process(
        "evaluate",
        "--model",
        str(model_world["model_dir"]),
        "--features",
        str(model_world["features_path"]),
        "--raw",
        str(model_world["raw"]),
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    metrics = json.loads(out.read_text())
    assert SPEC_METRICS <= set(metrics) and "oracle_roc_auc" in metrics and metrics["horizon_months"] == 12
    assert metrics["roc_auc"] == pytest.approx(model_world["report"].metrics["roc_auc"], abs=1e-6)
    # The oracle ranks with this month's true hazard: well above chance. (It is not an upper bound:
    # the hazard moves over the 12 months, and a model can anticipate some of that.)
    assert metrics["oracle_roc_auc"] > 0.55


def test_save_leaves_exactly_the_hashed_files_and_nothing_beside_them(model_world, tmp_path):
    # (A failure half way is injected in test_integrity.py; here: a good save leaves nothing else.)
    save_model(model_world["model"], tmp_path / "m")
    listed = set(json.loads((tmp_path / "m" / "metadata.json").read_text())["files_sha256"])
    assert {p.name for p in (tmp_path / "m").iterdir()} == listed | {"metadata.json"}
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_fairness_audit_reports_groups_and_hides_small_ones(model_world):
    from flightrisk.model.fairness import fairness_audit

    features = model_world["features"]
    rows = features[features["label"].notna()].tail(3000)[["employee_id", "snapshot_date", "label"]]
    rows = rows.assign(risk=model_world["model"].risk(features.loc[rows.index]))
    employees = model_world["tables"]["employees"].copy()
    lonely = rows["employee_id"].iloc[0]
    employees.loc[employees["employee_id"] == lonely, "gender"] = "rare"
    audit = fairness_audit(rows, employees)
    assert {"female", "male"} <= set(audit["groups"]["gender"])
    assert "rare" not in audit["groups"]["gender"]  # fewer than five people
    shares = [group["flagged_share"] for group in audit["groups"]["gender"].values()]
    assert all(group["people"] >= 5 for group in audit["groups"]["gender"].values())
    # Demographic parity difference is the spread of the flagged shares over the groups shown.
    assert audit["gender_demographic_parity_difference"] == pytest.approx(max(shares) - min(shares))
    assert set(audit["groups"]["age_band"]) <= {"under 30", "30-39", "40-49", "50+", "nan"}


def test_a_lever_additive_model_is_a_sum_of_per_lever_terms(model_world):
    """With lever_additive, every root-to-leaf path splits on the features of one lever family plus
    context, so the margin is a sum of terms each depending on one lever (and context) only."""
    import dataclasses

    from flightrisk.features import load_catalog
    from flightrisk.model.risk_model import encode_features
    from flightrisk.model.train import category_levels, fit_booster, lever_interaction_groups
    from tests.conftest import MODEL_SETTINGS

    catalog = load_catalog()
    groups = lever_interaction_groups(catalog)
    context = {i for i, f in enumerate(catalog.features) if f.lever == "context"}
    assert len(groups) == 6 and all(context <= set(g) for g in groups)
    labelled = model_world["features"].dropna(subset=["label"])
    x = encode_features(labelled, catalog, category_levels(labelled, catalog))
    y = labelled["label"].astype(int).to_numpy()
    settings = dataclasses.replace(MODEL_SETTINGS, lever_additive=True)
    booster = fit_booster(x, y, catalog, settings, rounds=60)

    def paths(node, above):
        if "split_feature" not in node:
            yield above
            return
        here = above | {node["split_feature"]}
        yield from paths(node["left_child"], here)
        yield from paths(node["right_child"], here)

    levers_used = set()
    for tree in booster.dump_model()["tree_info"]:
        for used in paths(tree["tree_structure"], frozenset()):
            assert any(used <= set(g) for g in groups), f"tree {tree['tree_index']} mixes levers: {used}"
            levers_used |= {catalog.features[i].lever for i in used - context}
    assert len(levers_used) >= 3  # it does use several levers


def test_train_takes_the_horizon_from_the_features(model_world, tmp_path, monkeypatch):
    """`features --horizon 6` then `train` trains (and records) a 6-month model, not the default 12."""
    from flightrisk.commands.train import TrainRequest, train_cli
    from flightrisk.config import TrainSettings
    from flightrisk.features import build_snapshot_features, load_catalog
    from flightrisk.features.snapshots import label_horizon

    assert label_horizon(model_world["features"]) == 12
    six = build_snapshot_features(model_world["tables"], load_catalog(), horizon=6)
    assert label_horizon(six) == 6
    path = tmp_path / "features6.parquet"
    six.to_parquet(path, index=False)
    seen = {}

    def stop(features, catalog, settings, data_hash):  # training itself is tested elsewhere
        seen["horizon"] = settings.horizon_months
        raise RuntimeError("stop here")

    monkeypatch.setattr("flightrisk.model.select.train_on_snapshots", stop)

    class Console:
        said = []

        def print(self, text):
            self.said.append(text)

    with pytest.raises(RuntimeError, match="stop here"):
        train_cli(
            TrainRequest(tmp_path / "m6", TrainSettings(), features_file=path, register=False), Console()
        )
    assert seen["horizon"] == 6 and "6 months ahead" in " ".join(Console.said)


def test_the_model_shape_is_chosen_on_the_validation_months(model_world):
    """With a grid, each shape is early-stopped on the validation months; the best validation AUC wins
    (the cheapest to explain among near-ties), and every shape tried is reported."""
    import dataclasses

    from flightrisk.features import load_catalog
    from flightrisk.model.risk_model import encode_features
    from flightrisk.model.train import category_levels, choose_shape, split_by_time, validation_people
    from tests.conftest import MODEL_SETTINGS

    catalog = load_catalog()
    labelled = model_world["features"].dropna(subset=["label"]).reset_index(drop=True)
    split = split_by_time(labelled["snapshot_date"], MODEL_SETTINGS)
    held_out = validation_people(labelled["employee_id"], MODEL_SETTINGS.validation_share, 0)
    in_train = labelled["snapshot_date"].isin(split.train_months).to_numpy() & ~held_out
    in_valid = labelled["snapshot_date"].isin(split.validation_months).to_numpy() & held_out
    x = encode_features(labelled, catalog, category_levels(labelled, catalog))
    y = labelled["label"].astype(int).to_numpy()
    grid = dataclasses.replace(MODEL_SETTINGS, shape_grid=((0.05, 7), (0.1, 15)), shape_tolerance=0.0)
    chosen, rounds, shape = choose_shape(x, y, in_train, in_valid, catalog, grid)
    assert len(shape["tried"]) == 2
    best = max(shape["tried"], key=lambda t: t["validation_roc_auc"])
    assert shape["chosen"] == best and rounds == best["rounds"]
    assert (chosen.learning_rate, chosen.num_leaves) == (best["learning_rate"], best["num_leaves"])
    # Among near-ties the cheaper shape to explain wins.
    loose = dataclasses.replace(grid, shape_tolerance=1.0)
    _, _, shape = choose_shape(x, y, in_train, in_valid, catalog, loose)
    assert shape["chosen"] == min(shape["tried"], key=lambda t: t["explanation_cost"])


def test_train_chooses_the_shape_on_validation_months_unless_told_not_to(cli, monkeypatch, tmp_path):
    """`flightrisk train` tries the shape grid by default (the holdout is never looked at for it);
    `--no-choose-shape` trains the fixed shape."""
    from flightrisk.commands import train as train_command
    from flightrisk.config import SHAPE_GRID

    seen = []
    monkeypatch.setattr(
        train_command, "train_snapshots_cli", lambda request, console: seen.append(request.settings)
    )
    (tmp_path / "f.parquet").write_bytes(b"")
    assert cli("train", "--features", "f.parquet", "--out", "m", "--no-register")[0] == 0
    assert cli("train", "--features", "f.parquet", "--out", "m", "--no-register", "--no-choose-shape")[0] == 0
    assert seen[0].shape_grid == SHAPE_GRID and seen[1].shape_grid == ()


def test_large_training_bags_fewer_rows_per_round_and_samples_the_baseline(monkeypatch):
    """At scale a boosting round looks at most at `max_rows_per_round` rows and the logistic baseline
    is fitted on a fixed sample; below the caps (the default world) nothing changes."""
    import lightgbm as lgb

    from flightrisk.features import load_catalog
    from flightrisk.model import baselines
    from flightrisk.model.train import fit_booster

    catalog = load_catalog()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, len(catalog.names)))
    y = (rng.random(2000) < 0.3).astype(int)
    seen = []
    real_train = lgb.train
    monkeypatch.setattr(
        lgb,
        "train",
        lambda params, *a, **k: seen.append(params["bagging_fraction"]) or real_train(params, *a, **k),
    )
    fit_booster(x, y, catalog, TrainSettings(max_rows_per_round=500), 3)  # 500 of 2,000 rows
    fit_booster(x, y, catalog, TrainSettings(), 3)
    assert seen == [pytest.approx(0.25), 0.8]

    frame = pd.DataFrame({"a": rng.normal(size=2000), "b": rng.choice(["x", "y"], 2000)})
    full = baselines.logistic_baseline(frame, y, frame.head(10), ["a"], ["b"])
    monkeypatch.setattr(baselines, "BASELINE_MAX_ROWS", 500)
    sampled = baselines.logistic_baseline(frame, y, frame.head(10), ["a"], ["b"])
    again = baselines.logistic_baseline(frame, y, frame.head(10), ["a"], ["b"])
    assert not np.allclose(full, sampled) and np.array_equal(sampled, again)


def test_a_broken_job_history_stops_train_before_any_fitting(
    cli, raw_copy, model_world, monkeypatch, tmp_path
):
    """`train --raw` reads each row's manager (for the check-ins' test within the manager) before it
    fits anything: a job history its schema refuses is named, exit 2, and no model folder is written."""
    from flightrisk.commands import train as train_command

    path = raw_copy / "job_history.parquet"
    jobs = pd.read_parquet(path)
    jobs.loc[0, "role"] = "Wizard"
    jobs.to_parquet(path, index=False)
    monkeypatch.setattr(
        train_command,
        "train_snapshot_kinds",
        lambda *a, **k: pytest.fail("fitted before reading the managers"),
    )
    code, _, err = cli(
        "train",
        "--features",
        model_world["features_path"],
        "--out",
        tmp_path / "m",
        "--raw",
        raw_copy,
        "--no-register",
    )
    assert code == 2 and "job_history" in err and "Wizard" in err
    assert not (tmp_path / "m").exists()
