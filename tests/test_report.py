"""The HTML report: pages, languages, privacy, escaping, and a real browser."""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from markupsafe import escape

from flightrisk.report.site import build_site, page_slug
from flightrisk.report.strings import EN
from flightrisk.score.batch import score_frame

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.fixture(scope="module")
def latest_features(model_world):
    f = model_world["features"]
    return f[f["snapshot_date"] == f["snapshot_date"].max()].reset_index(drop=True)


@pytest.fixture(scope="module")
def scores(model_world, latest_features):
    return score_frame(model_world["model"], latest_features, explain=True)


@pytest.fixture(scope="module")
def site(model_world, scores, latest_features, tmp_path_factory):
    tables = {k: v.copy() for k, v in model_world["tables"].items()}
    employees = tables["employees"]
    first, second = scores["employee_id"].iloc[0], scores["employee_id"].iloc[1]
    employees.loc[employees["employee_id"] == first, "name"] = HOSTILE[0]
    employees.loc[employees["employee_id"] == second, "name"] = HOSTILE[1]
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(model_world["model"], scores, out, tables=tables, features=latest_features, lang="en")
    return {"dir": out, "tables": tables}


def _all_html(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in folder.rglob("*.html"))


def test_one_page_per_person_and_an_overview(site, scores):
    people = list((site["dir"] / "people").glob("*.html"))
    assert len(people) == len(scores)
    index = (site["dir"] / "index.html").read_text(encoding="utf-8")
    for eid in scores["employee_id"].head(5):
        assert f"people/{page_slug(eid)}.html" in index


def test_hostile_names_are_escaped(site):
    html = _all_html(site["dir"])
    for name in HOSTILE:
        assert name not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    assert "onerror=alert(1)>" not in html


def test_person_page_has_every_part(site, scores):
    eid = scores["employee_id"].iloc[3]
    html = (site["dir"] / "people" / f"{page_slug(eid)}.html").read_text(encoding="utf-8")
    for part in (
        'id="risk"',
        'id="band"',
        'id="percentile"',
        "lever-chart",
        str(escape(EN["drivers"])),
        str(escape(EN["actions"])),
        str(escape(EN["how_to_read"])),
        'id="notice"',
        "decides nothing",
        "As of",
    ):
        assert part in html, part


def test_swedish_site_is_swedish(model_world, scores, latest_features, tmp_path):
    out = tmp_path / "sv"
    build_site(
        model_world["model"], scores, out, tables=model_world["tables"], features=latest_features, lang="sv"
    )
    html = _all_html(out)
    assert 'lang="sv"' in html and "procentenheter" in html and "Så läser du sidan" in html
    for english in ("What drives", "Actions to discuss", "How to read", " points", "Back to the overview"):
        assert english not in html, english


def test_manager_scope_leaks_nobody_else(model_world, scores, latest_features, tmp_path):
    tables = model_world["tables"]
    jobs = tables["job_history"].sort_values("effective_date").groupby("employee_id").tail(1)
    snapshot_team = jobs[jobs["employee_id"].isin(scores["employee_id"])]
    manager = snapshot_team["manager_id"].value_counts().index[0]
    out = tmp_path / "team"
    build_site(model_world["model"], scores, out, tables=tables, features=latest_features, manager=manager)
    html = _all_html(out)
    team = set(snapshot_team.loc[snapshot_team["manager_id"] == manager, "employee_id"])
    others = set(scores["employee_id"]) - team - {manager}
    names = tables["employees"].set_index("employee_id")["name"]
    assert len(list((out / "people").glob("*.html"))) == len(team & set(scores["employee_id"]))
    team_names = set(names.reindex(list(team)).dropna())
    for eid in others:
        assert eid not in html
        if names[eid] not in team_names:  # a namesake in the team is not a leak
            assert f">{names[eid]}<" not in html
    # Every number on the overview is about the team: its rows are the team's, and counts add up to it.
    index = (out / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr><td><a href="people/([^"]+)\.html">', index)
    assert sorted(rows) == sorted(page_slug(e) for e in team & set(scores["employee_id"]))
    cards = [int(v) for v in re.findall(r'<div class="value">(\d+)</div>', index)]
    if len(rows) >= 5:  # a team this size shows its counts, and they must add up to it
        assert cards[0] == len(rows) and sum(cards[1:]) == len(rows)
    else:  # below the privacy threshold no count is shown at all
        assert cards == []


def test_small_groups_are_not_aggregated(model_world, scores, latest_features, tmp_path):
    tables = model_world["tables"]
    jobs = tables["job_history"].sort_values("effective_date").groupby("employee_id").tail(1)
    manager = jobs[jobs["employee_id"].isin(scores["employee_id"])]["manager_id"].value_counts().index[0]
    team = jobs.loc[jobs["manager_id"] == manager, "employee_id"]
    few = scores[scores["employee_id"].isin(team)].head(3)
    out = tmp_path / "few"
    build_site(model_world["model"], few, out, tables=tables, features=latest_features, manager=manager)
    page = next((out / "managers").glob("*.html")).read_text(encoding="utf-8")
    assert EN["suppressed"] in page and EN["mean_risk"] not in page.split("<h2>")[0]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "histogram" not in index and EN["suppressed"] in index


def test_report_cli_exits_2_on_unknown_manager(model_world, scores, tmp_path):
    path = tmp_path / "scores.parquet"
    scores.to_parquet(path, index=False)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "flightrisk",
            "report",
            "--model",
            str(model_world["model_dir"]),
            "--scores",
            str(path),
            "--raw",
            str(model_world["raw"]),
            "--out",
            str(tmp_path / "site"),
            "--manager",
            "E-nobody",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "E-nobody" in done.stderr
    assert not (tmp_path / "site").exists()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.browser
@pytest.mark.skipif(
    _chromium() is None, reason="no Chromium on this machine (make test installs Debian's chromium)"
)
@pytest.mark.parametrize("page", ["index", "person"])
def test_pages_render_in_a_real_browser_without_console_errors(site, scores, page):
    path = (
        site["dir"] / "index.html"
        if page == "index"
        else (site["dir"] / "people" / f"{page_slug(scores['employee_id'].iloc[2])}.html")
    )
    profile = tempfile.mkdtemp()
    done = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    shutil.rmtree(profile, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    expected = (
        ['id="people"', 'id="band-counts"', "<svg"]
        if page == "index"
        else ['id="risk"', 'id="drivers"', 'class="lever-chart"', 'id="notice"']
    )
    for marker in expected:
        assert marker in dom, marker
