"""Records of what was done and the data subject's rights, end to end: review, audit (a deleted or
edited line is found), access (everything about one person, nobody else), forget (gone everywhere,
the chain still whole, the erasure recorded without the person)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest


def _scored_workspace(model_world, tmp_path, cli, *explain):
    """A scratch copy of the model world's extract and features, scored at the latest month (the
    scoring run chained in reports/runs.jsonl), in the CLI's working directory."""
    raw = tmp_path / "raw"
    shutil.copytree(model_world["raw"], raw)
    features = tmp_path / "features.parquet"
    shutil.copy(model_world["features_path"], features)
    scores = tmp_path / "scores.parquet"
    code, _, err = cli(
        "score",
        "--model",
        model_world["model_dir"],
        "--input",
        features,
        "--latest",
        "--out",
        scores,
        *explain,
    )
    assert code == 0, err
    people = pd.read_parquet(scores)["employee_id"].astype(str).tolist()
    return {"raw": raw, "features": features, "scores": scores, "people": people}


@pytest.fixture()
def workspace(model_world, tmp_path, cli):
    """The records of a scoring run, without explanations: what reviews, access and a manager's
    erasure read (the what-ifs of every person would cost each test seconds)."""
    return _scored_workspace(model_world, tmp_path, cli)


@pytest.fixture()
def explained_workspace(model_world, tmp_path, cli):
    """The same, scored with `--explain`: the bundle beside the scores holds every person's row."""
    return _scored_workspace(model_world, tmp_path, cli, "--explain")


def _review(cli, model_world, person, *extra):
    return cli(
        "review",
        "--model",
        model_world["model_dir"],
        "--employee",
        person,
        "--month",
        "2025-06",
        "--reviewer",
        "M0001",
        "--agree",
        "partly",
        *extra,
    )


def test_reviews_are_chained_and_audit_finds_a_deleted_or_edited_line(cli, model_world, workspace, tmp_path):
    action = model_world["model"].catalog.actions[0].name
    first, second = workspace["people"][:2]
    assert _review(cli, model_world, first, "--action", action, "--scores", workspace["scores"])[0] == 0
    assert _review(cli, model_world, second, "--action-text", "talked about a move to key accounts")[0] == 0
    code, _, err = cli("audit")
    said = " ".join(err.split())
    assert code == 0 and "reviews.jsonl: 2 chained lines intact" in said and "runs.jsonl: 1 chained" in said
    reviews = tmp_path / "reports" / "reviews.jsonl"
    lines = reviews.read_text().splitlines()
    record = json.loads(lines[0])
    assert (
        record["action"] == action
        and record["runs_entry_sha256"]
        == json.loads((tmp_path / "reports" / "runs.jsonl").read_text().splitlines()[-1])["_chain"][
            "entry_sha256"
        ]
    )
    # Edit the first line's answer: found, and named.
    reviews.write_text("\n".join([lines[0].replace('"partly"', '"yes"'), lines[1]]) + "\n")
    code, _, err = cli("audit")
    assert code == 2 and "reviews.jsonl line 1: content differs from its hash (edited)" in err
    # Delete the first line: the second no longer follows anything.
    reviews.write_text(lines[1] + "\n")
    code, _, err = cli("audit")
    assert code == 2 and "line 1: sequence 1, expected 0" in err


@pytest.mark.parametrize(
    "change, message",
    [
        (("--action", "give_them_a_yacht"), "not in the model's catalog"),
        (("--month", "June"), "YYYY-MM"),
        (("--reviewer", "Anna Svensson"), "not a name with spaces"),
        (("--scores", "SCORES", "--employee", "nobody"), "was not scored there"),
    ],
)
def test_a_review_that_makes_no_sense_is_refused_and_nothing_is_written(
    cli, model_world, workspace, tmp_path, change, message
):
    extra = [workspace["scores"] if c == "SCORES" else c for c in change]
    args = [
        "review",
        "--model",
        model_world["model_dir"],
        "--employee",
        workspace["people"][0],
        "--month",
        "2025-06",
        "--reviewer",
        "M0001",
        "--agree",
        "yes",
    ]
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    code, _, err = cli(*args)
    assert code == 2 and message in err
    assert not (tmp_path / "reports" / "reviews.jsonl").exists()


def test_access_holds_everything_about_the_person_and_nobody_else(cli, model_world, workspace, tmp_path):
    person, other = workspace["people"][:2]
    assert _review(cli, model_world, person, "--action-text", "agreed a training plan")[0] == 0
    assert _review(cli, model_world, other, "--action-text", "OTHER PERSON'S NOTE")[0] == 0
    out = tmp_path / "access.html"
    code, _, err = cli(
        "access",
        "--employee",
        person,
        "--out",
        out,
        "--raw",
        workspace["raw"],
        "--features",
        workspace["features"],
        "--scores",
        workspace["scores"],
        "--model",
        model_world["model_dir"],
    )
    assert code == 0, err
    page = out.read_text()
    employees = model_world["tables"]["employees"].set_index("employee_id")
    assert employees.loc[person, "name"] in page and "agreed a training plan" in page
    assert "Compensation" in page and "Engagement survey" in page  # their own data, table by table
    assert other not in page and "OTHER PERSON" not in page and employees.loc[other, "name"] not in page
    assert "Models that learned from your records" in page and str(model_world["model_dir"]) in page
    code, _, err = cli(
        "access", "--employee", "E999999", "--out", tmp_path / "x.md", "--raw", workspace["raw"]
    )
    assert code == 2 and "no table holds" in err and not (tmp_path / "x.md").exists()


def test_forget_removes_the_person_everywhere_keeps_the_chain_and_records_it_without_them(
    cli, model_world, explained_workspace, tmp_path
):
    from flightrisk.commands.records import _person_rows, _raw_tables

    workspace = explained_workspace

    person = workspace["people"][0]
    assert _review(cli, model_world, person, "--action-text", "a note about them")[0] == 0
    assert _review(cli, model_world, workspace["people"][1], "--action-text", "someone else")[0] == 0
    site = tmp_path / "site"
    assert (
        cli(
            "report",
            "--model",
            model_world["model_dir"],
            "--scores",
            workspace["scores"],
            "--raw",
            workspace["raw"],
            "--out",
            site,
        )[0]
        == 0
    )
    code, _, err = cli(
        "forget",
        "--employee",
        person,
        "--raw",
        workspace["raw"],
        "--features",
        workspace["features"],
        "--scores",
        workspace["scores"],
        "--site",
        site,
        "--model",
        model_world["model_dir"],
    )
    assert code == 0, err
    said = " ".join(err.split())
    assert "redacted 1 review records" in said and "retrain to forget" in said and not site.exists()
    for path in [*_raw_tables(workspace["raw"]), workspace["features"], workspace["scores"]]:
        rows = _person_rows(path, person)
        assert rows is None or rows.empty, path
    # The bundle `score --explain` left beside the scores held their row: it is gone with them.
    from flightrisk.score.bundle import bundle_path

    assert not bundle_path(workspace["scores"]).exists()
    assert json.loads((tmp_path / "reports" / "erasures.jsonl").read_text().splitlines()[-1])[
        "bundles_removed"
    ]
    reviews = (tmp_path / "reports" / "reviews.jsonl").read_text()
    assert "a note about them" not in reviews and person not in reviews and "someone else" in reviews
    erasures = (tmp_path / "reports" / "erasures.jsonl").read_text()
    name = model_world["tables"]["employees"].set_index("employee_id").loc[person, "name"]
    assert person not in erasures and name not in erasures
    code, _, err = cli("audit")
    assert code == 0 and "1 redacted on erasure" in " ".join(err.split()), err
    # Which models saw them is read from the features: --model alone cannot tell, and says so.
    code, _, err = cli("forget", "--employee", person, "--model", model_world["model_dir"])
    assert code == 2 and "--model needs --features" in err
    # Forgetting them again (or a mistyped id) finds nobody: refused, and no erasure is recorded.
    code, _, err = cli(
        "forget", "--employee", person, "--raw", workspace["raw"], "--scores", workspace["scores"]
    )
    assert code == 2 and "in none of the files given" in err
    assert len((tmp_path / "reports" / "erasures.jsonl").read_text().splitlines()) == 1
    # A redaction nobody recorded is found.
    lines = (tmp_path / "reports" / "erasures.jsonl").read_text().splitlines()
    (tmp_path / "reports" / "erasures.jsonl").write_text("")
    code, _, err = cli("audit")
    assert code == 2 and "redacted without a recorded erasure" in err
    (tmp_path / "reports" / "erasures.jsonl").write_text("\n".join(lines) + "\n")


def test_retention_deletes_old_scores_and_an_old_report_and_records_it(
    cli, model_world, explained_workspace, tmp_path
):
    from flightrisk.commands.records import retention_cli

    workspace = explained_workspace

    scores = pd.read_parquet(workspace["scores"])
    month = pd.Timestamp(scores["snapshot_date"].max())
    older = scores.assign(snapshot_date=month - pd.DateOffset(months=30))
    both = tmp_path / "history.parquet"
    pd.concat([scores, older]).to_parquet(both, index=False)
    site = tmp_path / "site"
    assert (
        cli("report", "--model", model_world["model_dir"], "--scores", workspace["scores"], "--out", site)[0]
        == 0
    )
    # Two years after the scores' month: the old rows go, the latest stay, the report stays.
    done = retention_cli(
        24, [both, workspace["scores"]], site, tmp_path / "reports", today=month + pd.DateOffset(months=1)
    )
    assert done["rows_removed"] == {str(both): len(older)} and site.is_dir()
    assert len(pd.read_parquet(both)) == len(scores)
    from flightrisk.score.bundle import bundle_path

    assert bundle_path(workspace["scores"]).is_dir()  # its month is kept, and so is its bundle
    # Three years on, everything is older: files and the report are deleted.
    done = retention_cli(
        24, [both, workspace["scores"]], site, tmp_path / "reports", today=month + pd.DateOffset(months=30)
    )
    assert not both.exists() and not workspace["scores"].exists() and not site.exists()
    assert not bundle_path(workspace["scores"]).exists()  # the month's rows go with its scores
    code, _, err = cli("audit")
    assert code == 0 and "erasures.jsonl: 2 chained" in " ".join(err.split())
    code, _, err = cli("retention", "--months", "0")
    assert code == 2 and "keep at least one month" in err


def test_forgetting_a_manager_leaves_their_id_nowhere_and_their_team_one_team(cli, model_world, workspace):
    """A manager is named in every team member's job history: erasing them replaces that name with one
    stand-in, written nowhere else, so the team still reads as one team and links to no one."""
    from flightrisk.commands.records import _raw_tables

    jobs = pd.read_parquet(workspace["raw"] / "job_history.parquet")
    manager = jobs["manager_id"].dropna().astype(str).value_counts().index[0]
    team = set(jobs.loc[jobs["manager_id"].astype(str) == manager, "employee_id"].astype(str))
    assert len(team) >= 2
    code, _, err = cli("forget", "--employee", manager, "--raw", workspace["raw"])
    assert code == 0, err
    for path in _raw_tables(workspace["raw"]):
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
        assert not frame.astype(str).isin([manager]).any().any(), path
    after = pd.read_parquet(workspace["raw"] / "job_history.parquet")
    stand_ins = set(after.loc[after["employee_id"].astype(str).isin(team), "manager_id"].astype(str))
    stand_ins = {s for s in stand_ins if s.startswith("erased-")}
    assert len(stand_ins) == 1  # one stand-in for the whole team
    erasure = json.loads((Path("reports") / "erasures.jsonl").read_text().splitlines()[-1])
    assert erasure["manager_references_replaced"] and stand_ins.pop() not in json.dumps(erasure)
