"""Raw-table validation: the good extract passes; each kind of breakage is named clearly."""

import subprocess
import sys

import pandas as pd
import pytest

from flightrisk.errors import InputError
from flightrisk.io import read_table
from flightrisk.schema import load_raw, validate_raw
from tests.conftest import run_in_process


def _break(raw, table, change):
    path = raw / f"{table}.parquet"
    frame = pd.read_parquet(path)
    frame = change(frame)
    path.unlink()
    frame.to_parquet(path, index=False)


def _problems(raw):
    with pytest.raises(InputError) as info:
        validate_raw(raw)
    return str(info.value)


def test_good_extract_validates(small_raw_dir):
    counts = validate_raw(small_raw_dir)
    assert counts["employees"] > 400 and len(counts) == 10


def test_missing_column_is_named(raw_copy):
    _break(raw_copy, "compensation", lambda f: f.drop(columns=["base_salary_monthly"]))
    message = _problems(raw_copy)
    assert "compensation.parquet" in message and "base_salary_monthly" in message


def test_non_positive_pay_is_named_with_rows(raw_copy):
    def change(f):
        f.loc[[2, 5], "base_salary_monthly"] = -100.0
        return f

    _break(raw_copy, "compensation", change)
    message = _problems(raw_copy)
    assert "'base_salary_monthly'" in message and "rows 3, 6" in message


def test_unknown_category_and_hours_out_of_range_are_all_reported(raw_copy):
    def bad_role(f):
        f.loc[0, "role"] = "Wizard"
        return f

    def bad_hours(f):
        f.loc[1, "avg_weekly_hours"] = 240.0
        return f

    _break(raw_copy, "job_history", bad_role)
    _break(raw_copy, "workload", bad_hours)
    message = _problems(raw_copy)
    assert "job_history.parquet" in message and "'role'" in message and "Wizard" in message
    assert "workload.parquet" in message and "'avg_weekly_hours'" in message


def test_duplicate_keys_are_rejected(raw_copy):
    _break(raw_copy, "sales_performance", lambda f: pd.concat([f, f.head(2)], ignore_index=True))
    assert "duplicate key" in _problems(raw_copy)


def test_unknown_employee_is_rejected(raw_copy):
    def change(f):
        f.loc[0, "employee_id"] = "E999999"
        return f

    _break(raw_copy, "training", change)
    message = _problems(raw_copy)
    assert "training" in message and "E999999" in message


def test_events_outside_employment_are_rejected(raw_copy):
    def change(f):
        f.loc[0, "date"] = pd.Timestamp("1990-01-01")
        return f

    _break(raw_copy, "recognition", change)
    assert "outside the person's employment" in _problems(raw_copy)


def test_termination_before_hire_is_rejected(raw_copy):
    def change(f):
        left = f.index[f["termination_date"].notna()][0]
        f.loc[left, "termination_date"] = f.loc[left, "hire_date"] - pd.Timedelta(days=30)
        return f

    _break(raw_copy, "employees", change)
    assert "termination_date before hire_date" in _problems(raw_copy)


def test_ghost_manager_is_rejected(raw_copy):
    def change(f):
        idx = f.index[f["manager_id"].notna()][0]
        f.loc[idx, "manager_id"] = "E888888"
        return f

    _break(raw_copy, "one_on_ones", change)
    assert "managers must be employees" in _problems(raw_copy)


def test_missing_table_is_named(raw_copy):
    (raw_copy / "workload.parquet").unlink()
    assert "table 'workload' is missing" in _problems(raw_copy)


def _as_csv(raw, table, text_transform=None, **to_csv):
    frame = pd.read_parquet(raw / f"{table}.parquet")
    (raw / f"{table}.parquet").unlink()
    text = frame.to_csv(index=False, date_format="%Y-%m-%d", **to_csv)
    if text_transform:
        text = text_transform(text)
    return text


def test_csv_with_bom_and_swedish_letters_reads_correctly(raw_copy):
    text = _as_csv(raw_copy, "employees")
    (raw_copy / "employees.csv").write_bytes("\ufeff".encode() + text.encode("utf-8"))
    tables = load_raw(raw_copy)
    assert list(tables["employees"].columns)[0] == "employee_id"
    assert tables["employees"]["name"].str.contains("[åäö]").any()
    assert tables["employees"]["region"].isin(["Göteborg", "Malmö"]).any()


def test_european_csv_with_decimal_comma_reads_correctly(raw_copy):
    original = pd.read_parquet(raw_copy / "workload.parquet")
    text = _as_csv(raw_copy, "workload", sep=";", decimal=",")
    (raw_copy / "workload.csv").write_text(text, encoding="utf-8")
    tables = load_raw(raw_copy)
    pd.testing.assert_series_equal(
        tables["workload"]["avg_weekly_hours"], original["avg_weekly_hours"].astype(float), check_names=False
    )


def test_decimal_comma_in_a_comma_csv_is_rejected_not_misparsed(raw_copy):
    frame = pd.read_parquet(raw_copy / "workload.parquet")
    (raw_copy / "workload.parquet").unlink()
    frame["avg_weekly_hours"] = frame["avg_weekly_hours"].map(lambda v: f"{v:.1f}".replace(".", ","))
    frame.to_csv(raw_copy / "workload.csv", index=False, date_format="%Y-%m-%d")
    message = _problems(raw_copy)
    assert "decimal comma" in message and "avg_weekly_hours" in message


def test_non_utf8_csv_is_rejected(tmp_path):
    path = tmp_path / "employees.csv"
    path.write_bytes("employee_id,name\nE1,Åsa Öberg\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_table(path)


def test_cli_exits_2_naming_table_and_column(raw_copy):
    # Through a fresh interpreter, as a batch job runs it: the exit code and stderr the shell sees
    # (the other CLI tests run in this process, `run_in_process`).
    _break(raw_copy, "compensation", lambda f: f.assign(base_salary_monthly=0.0))
    done = subprocess.run(
        [sys.executable, "-m", "flightrisk", "validate", "--raw", str(raw_copy)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "compensation" in done.stderr and "base_salary_monthly" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_exits_0_on_a_good_extract(small_raw_dir):
    done = run_in_process("validate", "--raw", str(small_raw_dir))
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("args", [["nonsense"], ["synth"], ["synth", "--out", "x", "--reps", "5"]])
def test_usage_errors_exit_2_without_traceback(args, tmp_path):
    done = run_in_process(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
