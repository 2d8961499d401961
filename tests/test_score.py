"""Batch scoring: the strict input contract, flags, atomic output, run records, the pyfunc model."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flightrisk.explain.contributions import LEVER_COLUMNS
from tests.conftest import run_in_process


def _score(model_world, input_path, out, *extra, cwd=None):
    return run_in_process(
        "score", "--model", model_world["model_dir"], "--input", input_path, "--out", out, *extra, cwd=cwd
    )


@pytest.fixture(scope="module")
def recent(model_world, tmp_path_factory):
    features = model_world["features"]
    rows = features[features["snapshot_date"] >= features["snapshot_date"].max() - pd.Timedelta(days=62)]
    path = tmp_path_factory.mktemp("score_in") / "features.parquet"
    rows.to_parquet(path, index=False)
    return rows.reset_index(drop=True), path


def test_scores_have_the_spec_columns_and_a_complete_run_record(model_world, recent, tmp_path):
    rows, path = recent
    out = tmp_path / "scores.parquet"
    done = _score(model_world, path, out, "--explain", "--top-k", "3", "--chunk-rows", "500", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    scores = pd.read_parquet(out)
    assert len(scores) == len(rows)
    expected = ["employee_id", "snapshot_date", "risk", "risk_band", "percentile", "low_confidence"]
    assert list(scores.columns[:6]) == expected
    assert set(LEVER_COLUMNS) <= set(scores.columns)
    assert {f"driver_{i}" for i in (1, 2, 3)} | {f"driver_{i}_text" for i in (1, 2, 3)} <= set(scores.columns)
    np.testing.assert_allclose(
        scores["base_rate"] + scores[LEVER_COLUMNS].sum(axis=1), scores["risk"], atol=1e-12
    )
    assert set(scores["risk_band"]) <= {"low", "medium", "high"}
    assert scores["percentile"].between(0, 100).all()
    record = json.loads(Path(str(out) + ".run.json").read_text())
    assert record["explanation_engine"].startswith("numba treeshap")  # checked against pred_contrib
    for key in (
        "run_id",
        "started_utc",
        "ended_utc",
        "user",
        "code_version",
        "model",
        "input",
        "rows",
        "seconds",
        "drift",
    ):
        assert key in record
    assert record["rows"] == {
        "read": len(rows),
        "scored": len(rows),
        "flagged": int(scores["low_confidence"].sum()),
        "rejected": 0,
    }
    assert set(record["drift"]["psi"]) == set(model_world["model"].feature_names)
    assert record["drift"]["threshold"] == 0.2
    log = (tmp_path / "reports" / "runs.jsonl").read_text().splitlines()
    assert json.loads(log[-1])["run_id"] == record["run_id"]
    # No names or salaries in the record.
    text = json.dumps(record)
    names = model_world["tables"]["employees"]["name"]
    assert not any(name in text for name in names.head(200))
    assert "base_salary" not in text


def test_rerun_gives_the_same_bytes(model_world, recent, tmp_path):
    _, path = recent
    for name in ("a.parquet", "b.parquet"):
        assert _score(model_world, path, tmp_path / name, "--explain", cwd=tmp_path).returncode == 0
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_missing_and_unexpected_columns_are_listed_and_nothing_is_written(model_world, recent, tmp_path):
    rows, _ = recent
    broken = rows.drop(columns=["tenure_months", "survey_culture"]).assign(shoe_size=42)
    path = tmp_path / "broken.parquet"
    broken.to_parquet(path, index=False)
    out = tmp_path / "scores.parquet"
    done = _score(model_world, path, out, cwd=tmp_path)
    assert done.returncode == 2
    assert "tenure_months" in done.stderr and "survey_culture" in done.stderr and "shoe_size" in done.stderr
    assert not out.exists() and not list(tmp_path.glob(".scores*"))


def test_too_many_bad_rows_abort_without_output(model_world, recent, tmp_path):
    rows, _ = recent
    bad = rows.copy()
    bad["tenure_months"] = bad["tenure_months"].astype(object)
    bad.loc[: len(bad) // 10, "tenure_months"] = "ten"
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    out = tmp_path / "scores.parquet"
    done = _score(model_world, path, out, cwd=tmp_path)
    assert done.returncode == 2 and "tenure_months" in done.stderr and "nothing was written" in done.stderr
    assert not out.exists()


def test_a_few_bad_rows_are_rejected_and_counted(model_world, recent, tmp_path):
    rows, _ = recent
    bad = rows.copy()
    bad["tenure_months"] = bad["tenure_months"].astype(object)
    bad.loc[[0, 1], "tenure_months"] = "ten"
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    out = tmp_path / "scores.parquet"
    done = _score(model_world, path, out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    record = json.loads(Path(str(out) + ".run.json").read_text())
    assert record["rows"]["rejected"] == 2 and record["rows"]["scored"] == len(rows) - 2
    assert record["rejected_examples"]["tenure_months"] == [1, 2]


def test_unknown_categories_and_out_of_range_values_are_flagged_not_mapped(model_world, recent, tmp_path):
    rows, _ = recent
    odd = rows.head(20).copy()
    odd.loc[0, "region"] = "Kiruna"
    odd.loc[1, "avg_weekly_hours_3m"] = 95.0
    path = tmp_path / "odd.parquet"
    odd.to_parquet(path, index=False)
    out = tmp_path / "scores.parquet"
    assert _score(model_world, path, out, cwd=tmp_path).returncode == 0
    scores = pd.read_parquet(out)
    assert scores.loc[0, "low_confidence"] and scores.loc[1, "low_confidence"]
    assert len(scores) == 20
    record = json.loads(Path(str(out) + ".run.json").read_text())
    assert (
        record["flagged_by_feature"]["region"] >= 1
        and record["flagged_by_feature"]["avg_weekly_hours_3m"] >= 1
    )


def test_a_run_killed_half_way_leaves_no_output(model_world, recent, tmp_path, monkeypatch):
    from flightrisk.model.artifact import load_model
    from flightrisk.score import batch

    _, path = recent
    model = load_model(model_world["model_dir"])
    calls = {"n": 0}
    original = batch.score_frame

    def dies_on_second_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(batch, "score_frame", dies_on_second_chunk)
    out = tmp_path / "scores.parquet"
    with pytest.raises(KeyboardInterrupt):
        batch.score_file(model, path, out, chunk_rows=200)
    assert not out.exists() and not list(tmp_path.iterdir())


def test_a_tampered_model_stops_the_run(model_world, recent, tmp_path):
    _, path = recent
    copy = tmp_path / "model"
    shutil.copytree(model_world["model_dir"], copy)
    text = (copy / "model.txt").read_text()
    (copy / "model.txt").write_text(text.replace("learning_rate", "learning_rate ", 1))
    done = run_in_process(
        "score",
        "--model",
        str(copy),
        "--input",
        str(path),
        "--out",
        str(tmp_path / "s.parquet"),
        cwd=tmp_path,
    )
    assert done.returncode == 2 and "SHA-256" in done.stderr
    assert not (tmp_path / "s.parquet").exists()


def test_score_from_raw_as_of(model_world, tmp_path):
    when = model_world["features"]["snapshot_date"].max()
    out = tmp_path / "scores.csv"
    done = run_in_process(
        "score",
        "--model",
        str(model_world["model_dir"]),
        "--raw",
        str(model_world["raw"]),
        "--as-of",
        str(when.date()),
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    scores = pd.read_csv(out)
    latest = model_world["features"][model_world["features"]["snapshot_date"] == when]
    assert len(scores) == len(latest)


@pytest.mark.slow
def test_mlflow_pyfunc_answers_mlflow_models_predict(model_world, recent, tmp_path, monkeypatch):
    from flightrisk import tracking

    rows, _ = recent
    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    tracking.log_training_run(
        model_world["model_dir"],
        {},
        {"roc_auc": 1.0, "baselines": {"logistic_regression": {"roc_auc": 0.5}}},
        {},
    )
    csv = tmp_path / "features.csv"
    rows.head(50).to_csv(csv, index=False)
    out = tmp_path / "predictions.json"
    mlflow_bin = Path(sys.executable).with_name("mlflow")
    done = subprocess.run(
        [
            str(mlflow_bin),
            "models",
            "predict",
            "-m",
            "models:/flightrisk@champion",
            "-i",
            str(csv),
            "-t",
            "csv",
            "-o",
            str(out),
            "--env-manager",
            "local",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**__import__("os").environ, "MLFLOW_TRACKING_URI": uri},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    payload = json.loads(out.read_text())
    predictions = pd.DataFrame(payload["predictions"] if isinstance(payload, dict) else payload)
    assert len(predictions) == 50
    assert {"risk", "risk_band", "percentile", "low_confidence", *LEVER_COLUMNS} <= set(predictions.columns)
    np.testing.assert_allclose(predictions["risk"], model_world["model"].risk(rows.head(50)), rtol=1e-9)


@pytest.mark.slow
def test_spark_udf_scores_on_a_local_session(model_world, recent, tmp_path, monkeypatch):
    pyspark = pytest.importorskip(
        "pyspark",
        reason="pyspark is not installed (it is ~300 MB); `make test-spark` installs it and runs this test",
    )
    import mlflow

    from flightrisk import tracking

    if shutil.which("java") is None:
        pytest.skip("no Java on this machine: Spark needs Java 17 (Debian: openjdk-17-jre-headless)")
    rows, _ = recent
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)  # Spark workers need this environment
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    tracking.log_training_run(
        model_world["model_dir"],
        {},
        {"roc_auc": 1.0, "baselines": {"logistic_regression": {"roc_auc": 0.5}}},
        {},
    )
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path}/mlflow.db")
    spark = pyspark.sql.SparkSession.builder.master("local[1]").appName("flightrisk-test").getOrCreate()
    try:
        sample = rows.head(30).copy()
        sample["snapshot_date"] = sample["snapshot_date"].dt.strftime("%Y-%m-%d")
        sample["label"] = sample["label"].astype(float)
        frame = spark.createDataFrame(sample)
        udf = mlflow.pyfunc.spark_udf(
            spark,
            "models:/flightrisk@champion",
            result_type="double",
            env_manager="local",
            params={"column": "risk"},
        )
        # A struct keeps the column names, which the model reads its features by.
        columns = pyspark.sql.functions.struct(*frame.columns)
        risks = frame.withColumn("risk", udf(columns)).select("risk").toPandas()["risk"].to_numpy()
    finally:
        spark.stop()
    np.testing.assert_allclose(risks, model_world["model"].risk(rows.head(30)), rtol=1e-9)
