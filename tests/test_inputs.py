"""Every bad input refused with exit 2, a message that says what to do, and nothing partial left behind."""

import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from flightrisk.errors import InputError
from flightrisk.io import atomic_path, read_yaml, to_numbers
from flightrisk.score.batch import validate_scores
from tests.test_validate import _break, _problems

# ------------------------------------------------------------------ raw tables


def test_a_row_dated_after_the_extract_is_refused_not_turned_into_labels(raw_copy):
    def future(frame):
        frame.loc[0, "date"] = pd.Timestamp("2099-01-15")
        return frame

    _break(raw_copy, "recognition", future)
    message = _problems(raw_copy)
    assert "after the extract's as-of date" in message and "2099-01-15" in message


def test_a_future_monthly_row_does_not_move_the_as_of_date(raw_copy):
    def future(frame):
        extra = frame.iloc[[0]].copy()
        extra["month"] = pd.Timestamp("2099-01-01")
        return pd.concat([frame, extra], ignore_index=True)

    _break(raw_copy, "workload", future)
    message = _problems(raw_copy)
    assert "workload: 'month' is after the extract's as-of date" in message


def test_dates_pandas_cannot_hold_are_exit_2(raw_copy, cli):
    frame = pd.read_parquet(raw_copy / "recognition.parquet")
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    frame.loc[1, "date"] = "2300-01-01"
    frame.loc[2, "date"] = "9999-12-31"
    (raw_copy / "recognition.parquet").unlink()
    frame.to_csv(raw_copy / "recognition.csv", index=False)
    code, _, err = cli("validate", "--raw", raw_copy)
    assert code == 2 and "not a plausible date" in err and "rows 2, 3" in err


def test_cross_table_checks_run_alongside_schema_problems(raw_copy):
    def negative(frame):
        frame.loc[0, "base_salary_monthly"] = -5.0
        return frame

    def orphan(frame):
        frame.loc[0, "employee_id"] = "NOBODY"
        return frame

    _break(raw_copy, "compensation", negative)
    _break(raw_copy, "training", orphan)
    message = _problems(raw_copy)
    assert "base_salary_monthly" in message and "training: employee_id not in employees" in message


def test_a_person_cannot_be_their_own_manager(raw_copy):
    def own(frame):
        frame.loc[3, "manager_id"] = frame.loc[3, "employee_id"]
        return frame

    _break(raw_copy, "job_history", own)
    assert "their own manager in rows 4" in _problems(raw_copy)


def test_infinities_are_refused(raw_copy):
    def infinite(frame):
        frame.loc[0, "avg_weekly_hours"] = np.inf
        return frame

    _break(raw_copy, "workload", infinite)
    assert "is not a finite number" in _problems(raw_copy)


def test_the_european_dialect_reads_thousands_separators_or_refuses():
    text = pd.Series(["37.300", "1.234.567,5", "37,3", "37.3", ""])
    typed, bad, reason = to_numbers(text, decimal=",")
    assert typed[0] == 37300 and typed[1] == 1234567.5 and typed[2] == pytest.approx(37.3)
    assert bad.tolist() == [False, False, False, True, False] and "'.'" in reason
    typed, bad, reason = to_numbers(pd.Series(["37,3", "inf"]), decimal=".")
    assert bad.all() and reason == "uses a decimal comma"
    assert to_numbers(pd.Series(["-inf"]))[2] == "is not a finite number"


# ------------------------------------------------------------------ scoring inputs


@pytest.fixture()
def latest_rows(model_world):
    f = model_world["features"]
    return f[f["snapshot_date"] >= f["snapshot_date"].max() - pd.Timedelta(days=40)].reset_index(drop=True)


def _score(cli, model_world, path, out, *extra):
    return cli("score", "--model", model_world["model_dir"], "--input", path, "--out", out, *extra)


def test_duplicate_person_months_are_refused(model_world, latest_rows, cli, tmp_path):
    path = tmp_path / "in.parquet"
    pd.concat([latest_rows, latest_rows.iloc[[5]]]).to_parquet(path, index=False)
    code, _, err = _score(cli, model_world, path, tmp_path / "s.parquet", "--chunk-rows", "100")
    assert code == 2 and "repeat an (employee_id, snapshot_date)" in err
    assert not list(tmp_path.glob("*s.parquet*"))


def test_rows_without_any_feature_are_rejected_not_scored_as_low(model_world, latest_rows, cli, tmp_path):
    rows = latest_rows.copy()
    names = model_world["model"].feature_names
    rows.loc[0, names] = np.nan
    path = tmp_path / "in.parquet"
    rows.to_parquet(path, index=False)
    out = tmp_path / "s.parquet"
    code, _, _ = _score(cli, model_world, path, out)
    assert code == 0
    scored = pd.read_parquet(out)
    assert rows.loc[0, "employee_id"] not in set(
        scored["employee_id"][scored["snapshot_date"] == rows.loc[0, "snapshot_date"]]
    )
    record = pd.read_json(str(out) + ".run.json", typ="series")
    assert record["rows"]["rejected"] == 1 and "(every feature empty)" in record["rejected_examples"]


def test_latest_refuses_a_stray_future_row_and_bad_dates(model_world, latest_rows, cli, tmp_path):
    stray = latest_rows.iloc[[0]].copy()
    stray["snapshot_date"] = pd.Timestamp("2031-01-31")
    path = tmp_path / "in.parquet"
    pd.concat([latest_rows, stray]).to_parquet(path, index=False)
    code, _, err = _score(cli, model_world, path, tmp_path / "s.parquet", "--latest")
    assert code == 2 and "has only 1 row(s)" in err and "--as-of" in err
    code, _, _ = _score(
        cli,
        model_world,
        path,
        tmp_path / "s.parquet",
        "--as-of",
        str(latest_rows["snapshot_date"].max().date()),
    )
    assert code == 0
    csv = tmp_path / "in.csv"
    text = latest_rows.assign(snapshot_date=latest_rows["snapshot_date"].dt.strftime("%Y-%m-%d"))
    text.loc[3, "snapshot_date"] = "31/12/2025"
    text.to_csv(csv, index=False)
    code, _, err = _score(cli, model_world, csv, tmp_path / "t.parquet", "--latest")
    assert code == 2 and "not dates in rows 4" in err


def test_options_and_paths_are_validated(model_world, latest_rows, cli, tmp_path):
    path = tmp_path / "in.parquet"
    latest_rows.to_parquet(path, index=False)
    code, _, err = _score(cli, model_world, path, tmp_path / "s.parquet", "--max-bad-share", "nan")
    assert code == 2 and "--max-bad-share" in err
    before = path.read_bytes()
    code, _, err = _score(cli, model_world, path, path)
    assert code == 2 and "is the input file" in err and path.read_bytes() == before


def test_a_european_csv_with_thousands_separators_scores_like_the_parquet(
    model_world, latest_rows, cli, tmp_path
):
    rows = latest_rows.head(200).copy()
    rows["avg_weekly_hours_3m"] = 1000.5  # written 1.000,5 in the European dialect
    parquet, csv = tmp_path / "in.parquet", tmp_path / "in.csv"
    rows.to_parquet(parquet, index=False)
    rows.assign(snapshot_date=rows["snapshot_date"].dt.strftime("%Y-%m-%d")).to_csv(
        csv, index=False, sep=";", decimal=","
    )
    text = csv.read_text().replace(";1000,5;", ";1.000,5;")
    csv.write_text(text)
    assert _score(cli, model_world, parquet, tmp_path / "a.parquet")[0] == 0
    assert _score(cli, model_world, csv, tmp_path / "b.parquet")[0] == 0
    a, b = pd.read_parquet(tmp_path / "a.parquet"), pd.read_parquet(tmp_path / "b.parquet")
    np.testing.assert_allclose(a["risk"], b["risk"], rtol=1e-9)


def test_latin1_byte_in_a_scoring_csv_is_exit_2(model_world, latest_rows, cli, tmp_path):
    csv = tmp_path / "in.csv"
    latest_rows.head(300).to_csv(csv, index=False)
    data = csv.read_bytes()
    cut = data.index(b"\n", len(data) // 2)
    csv.write_bytes(data[:cut] + b"\xe9" + data[cut:])
    code, _, err = _score(cli, model_world, csv, tmp_path / "s.parquet", "--chunk-rows", "100")
    assert code == 2 and "not UTF-8" in err and not list(tmp_path.glob("*s.parquet*"))


def test_csv_outputs_neutralise_formulas(model_world, latest_rows, cli, tmp_path):
    rows = latest_rows.head(50).copy()
    rows.loc[0, "employee_id"] = '=HYPERLINK("http://x")'
    rows.loc[1, "employee_id"] = "@SUM(A1)"
    path = tmp_path / "in.parquet"
    rows.to_parquet(path, index=False)
    out = tmp_path / "s.csv"
    assert _score(cli, model_world, path, out)[0] == 0
    cells = pd.read_csv(out, dtype=str)["employee_id"]
    assert not cells.str.match(r"^[=+\-@]").any() and "'@SUM(A1)" in set(cells)


def test_temporaries_of_a_killed_run_are_removed(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".scores.parquet.{dead.pid}.abc.tmp"
    stale.write_text("half a file")
    with atomic_path(tmp_path / "scores.parquet") as tmp:
        tmp.write_text("done")
    assert not stale.exists() and (tmp_path / "scores.parquet").read_text() == "done"


def test_a_killed_writer_whose_pid_lives_on_leaves_nothing_for_long(tmp_path):
    """The PID in a temporary's name may live on: a killed child nobody has reaped yet (a zombie), or a
    new process that reuses the number after a restart. The writer's lock decides, not the PID."""
    import os

    from flightrisk.io import remove_stale_temporaries, staged_folder

    target = tmp_path / "scores.parquet"
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from flightrisk.io import atomic_path\n"
         "with atomic_path(sys.argv[1]) as tmp:\n    tmp.write_text('half')\n    print('ready', flush=True)\n"
         "    time.sleep(60)", str(target)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert writer.stdout.readline().strip() == "ready"
    left = list(tmp_path.glob(".scores.parquet.*.tmp"))
    assert len(left) == 1
    remove_stale_temporaries(target)
    assert left[0].exists(), "a live writer's temporary was removed"
    writer.kill()
    time.sleep(0.2)  # not reaped: the zombie's PID still answers as alive
    remove_stale_temporaries(target)
    assert not left[0].exists(), "a killed writer's temporary was kept"
    writer.wait()
    # A leftover named by a live PID (ours, as after a restart) but held by nobody is abandoned too.
    reused = tmp_path / f".scores.parquet.{os.getpid()}.abc.tmp"
    reused.write_text("from a run before the restart")
    remove_stale_temporaries(target)
    assert not reused.exists()
    # What this process is writing right now is never taken for a leftover.
    with staged_folder(tmp_path / "site") as staging:
        remove_stale_temporaries(tmp_path / "site")
        assert staging.is_dir()


@pytest.mark.slow
def test_sigterm_during_scoring_leaves_nothing(model_world, tmp_path):
    out = tmp_path / "s.parquet"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flightrisk",
            "score",
            "--model",
            str(model_world["model_dir"]),
            "--input",
            str(model_world["features_path"]),
            "--out",
            str(out),
            "--explain",
            "--chunk-rows",
            "500",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline and not list(tmp_path.glob(".s.parquet.*.tmp")):
        time.sleep(0.05)
    assert list(tmp_path.glob(".s.parquet.*.tmp")), "scoring never started writing"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    assert process.returncode != 0
    assert not list(tmp_path.glob("*s.parquet*")), "a killed run left a file behind"


# ------------------------------------------------------------------ scores given to the report


def _scores(**changes):
    frame = pd.DataFrame(
        {
            "employee_id": ["A", "B", "C"],
            "snapshot_date": ["2025-06-30"] * 3,
            "risk": ["0.1", "0.5", "0.2"],
            "risk_band": ["low", "high", "medium"],
            "percentile": ["10", "90", "40"],
            "low_confidence": ["False", "True", "false"],
        }
    )
    for column, (row, value) in changes.items():
        frame.loc[row, column] = value
    return frame


def test_scores_are_typed_and_checked_before_the_report():
    typed = validate_scores(_scores(), "s.csv")
    assert typed["low_confidence"].tolist() == [False, True, False]  # "False" is not true
    for change, message in [
        ({"risk_band": (0, "extreme")}, "risk_band"),
        ({"risk": (1, "7")}, "risk"),
        ({"low_confidence": (2, "maybe")}, "low_confidence"),
        ({"employee_id": (1, "A")}, "repeats a person"),
        ({"snapshot_date": (0, "soon")}, "snapshot_date"),
    ]:
        with pytest.raises(InputError, match=message):
            validate_scores(_scores(**change), "s.csv")


def test_report_refuses_to_replace_a_folder_it_did_not_write(model_world, cli, tmp_path):
    scores = tmp_path / "scores.csv"
    _scores().to_csv(scores, index=False)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "runs.jsonl").write_text('{"run": 1}\n')
    code, _, err = cli("report", "--model", model_world["model_dir"], "--scores", scores, "--out", reports)
    assert code == 2 and "not a report written by flightrisk" in err
    assert (reports / "runs.jsonl").read_text() == '{"run": 1}\n'
    site = tmp_path / "site"
    assert cli("report", "--model", model_world["model_dir"], "--scores", scores, "--out", site)[0] == 0
    assert cli("report", "--model", model_world["model_dir"], "--scores", scores, "--out", site)[0] == 0
    assert oct(site.stat().st_mode & 0o777) == "0o755"


def test_markup_in_user_input_is_printed_literally(model_world, cli, tmp_path):
    scores = tmp_path / "scores.csv"
    _scores().to_csv(scores, index=False)
    code, _, err = cli(
        "report",
        "--model",
        model_world["model_dir"],
        "--scores",
        scores,
        "--out",
        tmp_path / "x",
        "--raw",
        model_world["raw"],
        "--manager",
        "[/]",
    )
    assert code == 2 and "'[/]'" in err


def test_two_ids_never_share_a_page_file():
    from flightrisk.report.site import page_slugs

    ids = ["E1", "e1", "a b", "a_b", "a-b", "a/b", "../x", "", "E000123"]
    slugs = page_slugs(ids)
    assert len({s.lower() for s in slugs.values()}) == len(ids)
    assert all("/" not in s and not s.startswith(".") for s in slugs.values())
    assert slugs["E000123"] == "E000123" and slugs["a_b"] == "a_b"  # tame ids stay readable


# ------------------------------------------------------------------ unexpected failures made exit 2


def test_header_only_flat_table_is_exit_2(cli, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("id,left,YearsAtCompany\n")
    catalog = tmp_path / "c.yaml"
    catalog.write_text(
        "table: {id: id, label: left, positive: y, negative: n}\n"
        "features:\n  YearsAtCompany: {lever: context, unit: count, label_en: Years, label_sv: År}\n"
    )
    code, _, err = cli(
        "train", "--table", table, "--catalog", catalog, "--out", tmp_path / "m", "--no-register"
    )
    assert code == 2 and "no rows" in err and not (tmp_path / "m").exists()


def test_yaml_alias_bombs_are_refused(tmp_path, cli):
    bomb = tmp_path / "world.yaml"
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    bomb.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="alias"):
        read_yaml(bomb)
    code, _, err = cli("synth", "--out", tmp_path / "raw", "--world", bomb)
    assert code == 2 and "alias" in err


def test_report_replaces_a_site_from_before_the_marker(model_world, cli, tmp_path):
    scores = tmp_path / "scores.csv"
    _scores().to_csv(scores, index=False)
    old_site = tmp_path / "site"
    for sub in ("people", "managers"):
        (old_site / sub).mkdir(parents=True)
    (old_site / "index.html").write_text("<html></html>")
    assert cli("report", "--model", model_world["model_dir"], "--scores", scores, "--out", old_site)[0] == 0
    assert (old_site / ".flightrisk-report").is_file()
