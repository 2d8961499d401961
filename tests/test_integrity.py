"""Integrity of model folders and the registry: every file hashed, nothing unlisted loaded, whole-folder
writes, a gate that keeps the model in use when a candidate is worse, and separate registered names."""

import dataclasses
import json
import os
import shutil

import numpy as np
import pandas as pd
import pytest

from flightrisk.errors import InputError
from flightrisk.io import sha256_file
from flightrisk.model import artifact
from flightrisk.model.artifact import load_model, save_model
from flightrisk.model.gate import CHAMPION_TOLERANCE, decide
from flightrisk.model.integrity import SIGNING_KEY_ENV


@pytest.fixture()
def model_copy(model_world, tmp_path):
    target = tmp_path / "model"
    shutil.copytree(model_world["model_dir"], target)
    return target


def _rehash(model_dir, **metadata_changes):
    """Rewrite metadata.json so that its hash list matches the folder (an attacker who can write it)."""
    meta = json.loads((model_dir / "metadata.json").read_text())
    meta["files_sha256"] = {p.name: sha256_file(p) for p in model_dir.iterdir() if p.name != "metadata.json"}
    meta.update(metadata_changes)
    (model_dir / "metadata.json").write_text(json.dumps(meta))


def test_an_unlisted_file_is_refused_even_one_the_loader_knows(model_copy):
    (model_copy / "linear.json").write_text(
        json.dumps({"weight": 0.9, "numeric": {}, "categorical": {}, "intercept": 3})
    )
    with pytest.raises(InputError, match="linear.json is not listed"):
        load_model(model_copy)


def test_a_hash_list_naming_only_an_unrelated_file_is_refused(model_copy):
    meta = json.loads((model_copy / "metadata.json").read_text())
    meta["files_sha256"] = {"notes.txt": "0" * 64}
    (model_copy / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(InputError, match="lacks"):
        load_model(model_copy)


@pytest.mark.parametrize("name", ["../model.txt", "/etc/passwd", "sub/model.txt", ".."])
def test_a_listed_path_outside_the_folder_is_refused(model_copy, name):
    meta = json.loads((model_copy / "metadata.json").read_text())
    meta["files_sha256"][name] = "0" * 64
    (model_copy / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(InputError, match="not a file name inside"):
        load_model(model_copy)


def test_symlinks_and_special_files_are_refused(model_copy, tmp_path):
    outside = tmp_path / "elsewhere.json"
    shutil.copy(model_copy / "profile.json", outside)
    (model_copy / "profile.json").unlink()
    (model_copy / "profile.json").symlink_to(outside)
    with pytest.raises(InputError, match="symbolic link"):
        load_model(model_copy)
    (model_copy / "profile.json").unlink()
    shutil.copy(outside, model_copy / "profile.json")
    os.mkfifo(model_copy / "pipe")  # a reader that opened it would hang
    with pytest.raises(InputError, match="not a plain file"):
        load_model(model_copy)


def _consistent_sizes(text: str) -> str:
    """Rewrite tree_sizes to match the (edited) tree blocks, as a careful attacker would."""
    import re

    head, rest = text.split("\nTree=0\n", 1)
    trees, tail = ("Tree=0\n" + rest).split("end of trees", 1)
    blocks = re.split(r"(?=^Tree=\d+$)", trees, flags=re.M)[1:]
    sizes = " ".join(str(len(b.encode())) for b in blocks)
    head = re.sub(r"^tree_sizes=.*$", f"tree_sizes={sizes}", head, flags=re.M)
    return head + "\n" + trees + "end of trees" + tail


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("max_feature_idx=", "max_feature_idx=9", 1),
        lambda t: _consistent_sizes(t.replace("split_feature=", "split_feature=4000 ", 1)),
        lambda t: _consistent_sizes(t.replace("left_child=", "left_child=999 ", 1)),
        lambda t: t.replace("split_feature=", "split_feature=4000 ", 1),
        lambda t: "garbage\n" + t,
        lambda t: t[: len(t) // 3],
        lambda t: t[: t.index("end of trees") - 200],
    ],
    ids=[
        "feature-count",
        "feature-index",
        "child-pointer",
        "sizes-off",
        "header",
        "truncated",
        "cut-in-last-tree",
    ],
)
def test_a_malformed_lightgbm_model_is_an_error_not_a_crash(model_copy, change):
    # Every case here made LightGBM read past its buffer or abort the process before the checks.
    path = model_copy / "model.txt"
    path.write_text(change(path.read_text()))
    _rehash(model_copy)
    with pytest.raises(InputError, match="model"):
        load_model(model_copy)


def test_invalid_metadata_json_is_exit_2(model_copy, model_world, cli, tmp_path):
    (model_copy / "metadata.json").write_text("{not json")
    code, _, err = cli(
        "score",
        "--model",
        model_copy,
        "--input",
        model_world["features_path"],
        "--out",
        tmp_path / "s.parquet",
    )
    assert code == 2 and "not valid JSON" in err and not (tmp_path / "s.parquet").exists()


def test_signed_models_refuse_a_forged_or_unsigned_folder(model_world, tmp_path, monkeypatch):
    monkeypatch.setenv(SIGNING_KEY_ENV, "deployment-secret")
    signed = tmp_path / "signed"
    save_model(model_world["model"], signed)
    assert "signature" in json.loads((signed / "metadata.json").read_text())
    load_model(signed)  # the right key loads
    _rehash(signed, metrics={"roc_auc": 0.99})  # hashes rewritten, but without the key
    with pytest.raises(InputError, match="signature"):
        load_model(signed)
    with pytest.raises(InputError, match="not signed"):
        load_model(model_world["model_dir"])
    monkeypatch.setenv(SIGNING_KEY_ENV, "another-key")
    save_model(model_world["model"], signed)
    monkeypatch.setenv(SIGNING_KEY_ENV, "deployment-secret")
    with pytest.raises(InputError, match="signature"):
        load_model(signed)


def test_a_failure_while_writing_leaves_the_previous_model_loadable(model_world, tmp_path, monkeypatch):
    out = tmp_path / "models" / "flightrisk"
    save_model(model_world["model"], out)
    before = (out / "metadata.json").read_bytes()

    def dies(model, folder):
        (folder / "model.txt").write_text("half")
        raise RuntimeError("killed")

    monkeypatch.setattr(artifact, "_write_files", dies)
    with pytest.raises(RuntimeError):
        save_model(model_world["model"], out)
    assert (out / "metadata.json").read_bytes() == before
    load_model(out)
    assert [p.name for p in out.parent.iterdir()] == ["flightrisk"]  # no staging folder left


def test_a_swap_interrupted_between_renames_is_restored(model_world, tmp_path):
    out = tmp_path / "flightrisk"
    save_model(model_world["model"], out)
    out.rename(tmp_path / ".flightrisk.previous")  # as if killed after the first rename
    load_model(out)
    assert out.is_dir()


def test_stale_staging_of_a_killed_run_is_removed_on_the_next_run(model_world, tmp_path):
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".flightrisk.{dead.pid}.staging-abc"
    (stale / "flightrisk").mkdir(parents=True)
    save_model(model_world["model"], tmp_path / "flightrisk")
    assert not stale.exists()


def test_gate_keeps_the_champion_when_the_candidate_is_worse():
    metrics = {"roc_auc": 0.70, "baselines": {"logistic_regression": {"roc_auc": 0.65}}}
    assert decide(metrics, None, None)[0]
    assert decide(metrics, 0.70 + CHAMPION_TOLERANCE / 2, "same rows")[0]
    passed, reason = decide(metrics, 0.72, "same rows")
    assert not passed and "champion 0.7200" in reason
    assert decide(metrics, None, "not comparable")[0]
    worse_than_logistic = {"roc_auc": 0.60, "baselines": {"logistic_regression": {"roc_auc": 0.65}}}
    assert not decide(worse_than_logistic, None, None)[0]


def test_a_candidate_failing_the_gate_does_not_replace_the_model_in_use(model_world, tmp_path):
    from rich.console import Console

    from flightrisk.commands.publish import publish_trained

    out = tmp_path / "flightrisk"
    save_model(model_world["model"], out)
    before = (out / "metadata.json").read_bytes()
    report = model_world["report"]
    worse = type(report)(
        {**report.metrics, "roc_auc": 0.5}, report.holdout, report.importance, report.calibration_bins, 10
    )
    result = publish_trained(
        model_world["model"], worse, out, False, "flightrisk", Console(file=open(os.devnull, "w"))
    )
    assert not result["passed"]
    assert (out / "metadata.json").read_bytes() == before
    load_model(out.with_name("flightrisk.candidate"))  # kept for inspection, complete and loadable


def test_champion_is_scored_on_the_candidates_holdout_rows(model_world):
    from flightrisk.model.gate import champion_roc_auc
    from flightrisk.model.risk_model import FlatModel

    model = model_world["model"]
    features = model_world["features"]
    start, end = (pd.Timestamp(d) for d in model.metadata["holdout_window"])
    rows = features[features["label"].notna() & features["snapshot_date"].between(start, end)]
    auc, note = champion_roc_auc(model, model, model.prepare(rows))
    assert auc == pytest.approx(model.metadata["metrics"]["roc_auc"], abs=1e-9) and "same rows" in note
    other = FlatModel(model.booster, model.calibration, model.catalog, model.profile, model.metadata)
    assert champion_roc_auc(model, other, rows) == (None, "the champion is another kind of model")
    # A champion whose holdout booster saw the candidate's holdout months is not scored on them.
    later = dataclasses.replace(
        model, metadata={**model.metadata, "train_window": ["2000-01-31", str(end.date())]}
    )
    auc, note = champion_roc_auc(later, model, model.prepare(rows))
    assert auc == pytest.approx(model.metadata["metrics"]["roc_auc"], abs=1e-9) and "recorded" in note
    # ... and so is one trained on months just before them, whose outcomes reach into the holdout's.
    just_before = str((start - pd.offsets.MonthEnd(1)).date())
    leaky = dataclasses.replace(
        model, metadata={**model.metadata, "train_window": ["2000-01-31", just_before]}
    )
    assert (
        champion_roc_auc(leaky, model, model.prepare(rows))[1] != "champion's holdout model on the same rows"
    )


def test_flat_tables_get_their_own_registered_name():
    from pathlib import Path

    from flightrisk.tracking import registered_name

    assert registered_name(None, flat=False) == "flightrisk"
    assert (
        registered_name(None, flat=True, catalog_path=Path("configs/catalogs/ibm_hr.yaml"))
        == "flightrisk-ibm_hr"
    )
    with pytest.raises(InputError, match="belongs to the HR-extract model"):
        registered_name("flightrisk", flat=True)
    with pytest.raises(InputError, match="--name"):
        registered_name("a/b", flat=False)


@pytest.mark.slow
def test_training_uploads_only_the_files_it_wrote(model_world, tmp_path, monkeypatch):
    from rich.console import Console

    from flightrisk.commands.publish import publish_trained

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    out = tmp_path / "models" / "flightrisk"
    out.mkdir(parents=True)
    (out / "salaries.csv").write_text("name,salary\nAnna,52000\n")  # someone's file left in --out
    publish_trained(
        model_world["model"],
        model_world["report"],
        out,
        True,
        "flightrisk",
        Console(file=open(os.devnull, "w")),
    )
    uploaded = {p.name for p in (tmp_path / "mlruns").rglob("*") if p.is_file()}
    assert "model.txt" in uploaded and "salaries.csv" not in uploaded


def test_an_unknown_model_kind_is_refused_with_the_known_ones(model_copy):
    _rehash(model_copy, kind="mystery")
    with pytest.raises(
        InputError,
        match=r"unknown model kind 'mystery' \(known: \['flat', 'flat_hazard', 'hazard', 'snapshots'\]\)",
    ):
        load_model(model_copy)


def test_a_snapshot_model_never_reads_a_flat_models_file(model_copy, model_world):
    # Each kind reads only its own files: a listed linear.json cannot blend into a snapshot model.
    (model_copy / "linear.json").write_text(
        json.dumps({"weight": 0.9, "numeric": {}, "categorical": {}, "intercept": 3})
    )
    _rehash(model_copy)
    loaded = load_model(model_copy)
    rows = model_world["features"].head(20)
    np.testing.assert_array_equal(loaded.risk(rows), model_world["model"].risk(rows))
