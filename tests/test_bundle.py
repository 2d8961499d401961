"""`score --explain` leaves a bundle beside one month's scores; `report` and `plan` read it instead of
rebuilding the features and running the model again, and give the same pages and the same plan."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from flightrisk.score.bundle import bundle_path, read_bundle


@pytest.fixture(scope="module")
def bundled(model_world, tmp_path_factory):
    """Scores of the latest month with their bundle, written by the CLI."""
    from tests.conftest import run_in_process

    folder = tmp_path_factory.mktemp("bundle")
    scores = folder / "scores.parquet"
    result = run_in_process(
        "score", "--model", model_world["model_dir"], "--input", model_world["features_path"],
        "--latest", "--explain", "--out", scores, "--records", folder / "records",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return scores


def test_score_explain_writes_a_bundle_of_the_month(model_world, bundled):
    read = read_bundle(model_world["model"], bundled)
    assert isinstance(read, tuple), read
    rows, computed = read
    scores = pd.read_parquet(bundled)
    assert len(rows) == len(computed) == len(scores)
    assert list(rows["employee_id"].astype(str)) == list(scores["employee_id"])
    assert (abs(computed.explanation.risk - scores["risk"].to_numpy()) < 1e-9).all()
    assert any(computed.actions), "the what-ifs are kept in numbers"


def test_the_report_reads_the_bundle_and_runs_no_model(model_world, bundled, tmp_path, cli, monkeypatch):
    """Same pages with and without the bundle; with it, the model is never asked for a contribution
    or a what-if of this month (only the 12-month trends score past months)."""
    without = tmp_path / "plain.parquet"
    shutil.copy(bundled, without)  # the same scores, no bundle beside them
    args = ("--model", model_world["model_dir"], "--raw", model_world["raw"], "--records", tmp_path)
    assert cli("report", "--scores", without, "--out", tmp_path / "a", *args)[0] == 0
    from flightrisk.explain import person

    def refuse(*a, **k):
        raise AssertionError("the report ran the model over the month although the bundle has it")

    monkeypatch.setattr(person, "compute", refuse)
    code, _, err = cli("report", "--scores", bundled, "--out", tmp_path / "b", *args)
    assert code == 0, err
    pages = sorted(p.name for p in (tmp_path / "a" / "people").glob("*.html"))
    assert pages and pages == sorted(p.name for p in (tmp_path / "b" / "people").glob("*.html"))
    for name in pages[:40]:
        a = (tmp_path / "a" / "people" / name).read_text(encoding="utf-8")
        b = (tmp_path / "b" / "people" / name).read_text(encoding="utf-8")
        assert a == b, name


def test_the_plan_reads_the_bundle_and_builds_no_features(model_world, bundled, tmp_path, cli, monkeypatch):
    without = tmp_path / "plain.parquet"
    shutil.copy(bundled, without)
    args = ("--model", model_world["model_dir"], "--raw", model_world["raw"], "--budget", "300000")
    assert cli("plan", "--scores", without, "--out", tmp_path / "a.parquet", *args)[0] == 0
    from flightrisk.model.risk_model import SnapshotModel

    def refuse(*a, **k):
        raise AssertionError("the plan rebuilt the month's features although the bundle has them")

    monkeypatch.setattr(SnapshotModel, "features_from_extract", refuse)
    code, _, err = cli("plan", "--scores", bundled, "--out", tmp_path / "b.parquet", *args)
    assert code == 0, err
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "a.parquet"), pd.read_parquet(tmp_path / "b.parquet")
    )


def test_a_bundle_that_no_longer_matches_its_scores_is_not_read(model_world, bundled, tmp_path, cli):
    scores = tmp_path / "scores.parquet"
    shutil.copy(bundled, scores)
    shutil.copytree(bundle_path(bundled), bundle_path(scores))
    assert isinstance(read_bundle(model_world["model"], scores), tuple)
    frame = pd.read_parquet(scores)
    frame.loc[0, "risk"] = 0.99  # the scores were edited (or rewritten) after the bundle
    frame.to_parquet(scores, index=False)
    assert "other scores" in read_bundle(model_world["model"], scores)
    code, _, err = cli(
        "report", "--scores", scores, "--model", model_world["model_dir"], "--out", tmp_path / "site",
        "--records", tmp_path,
    )  # fmt: skip
    assert code == 0 and "Not reading the bundle" in err
    # Scoring every month (no --latest) writes no bundle and removes the one beside an older run.
    code, _, err = cli(
        "score", "--model", model_world["model_dir"], "--input", model_world["features_path"],
        "--explain", "--out", scores, "--records", tmp_path, "--chunk-rows", "20000",
    )  # fmt: skip
    assert code == 0, err
    assert not bundle_path(scores).exists()
