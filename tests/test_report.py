"""The HTML report: pages, languages, privacy, escaping, and a real browser."""

import re
import shutil
from pathlib import Path

import markupsafe
import pandas as pd
import pytest
from markupsafe import escape

from flightrisk.i18n import words_for
from flightrisk.messages import REPORT_EN as EN
from flightrisk.report.site import build_site, page_slug
from flightrisk.report.trends import monthly_history, recent_features
from flightrisk.score.batch import score_frame
from tests.conftest import run_in_process

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
    snapshot = latest_features["snapshot_date"].max()
    history = monthly_history(
        model_world["model"], recent_features(model_world["model"], model_world["tables"], snapshot)
    )
    build_site(
        model_world["model"],
        scores,
        out,
        tables=tables,
        features=latest_features,
        words=words_for("en"),
        history=history,
    )
    return {"dir": out, "tables": tables, "history": history}


def _all_html(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in folder.rglob("*.html"))


def test_one_page_per_person_and_an_overview(site, scores):
    people = list((site["dir"] / "people").glob("*.html"))
    assert len(people) == len(scores)
    index = (site["dir"] / "index.html").read_text(encoding="utf-8")
    riskiest = scores.sort_values("risk", ascending=False, kind="stable")["employee_id"]
    listed = re.findall(r'<tr><td><a href="people/([^"]+)\.html">', index)
    # The overview lists the 25 riskiest, riskiest first; people.html lists everybody.
    assert listed == [page_slug(e) for e in riskiest.head(25)]
    everybody = (site["dir"] / "people.html").read_text(encoding="utf-8")
    assert sorted(re.findall(r'<tr><td><a href="people/([^"]+)\.html">', everybody)) == sorted(
        page_slug(e) for e in scores["employee_id"]
    )


def test_the_tables_and_the_person_page_name_the_same_top_lever(site, scores):
    """One definition of the top lever: the people table's last column is the card on each page."""
    import html

    everybody = (site["dir"] / "people.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr><td><a href="people/([^"]+)\.html">.*?<td>([^<]*)</td></tr>', everybody)
    assert len(rows) == len(scores)
    for slug, in_table in rows:
        page = (site["dir"] / "people" / f"{slug}.html").read_text(encoding="utf-8")
        card = re.search(r'id="top-lever">([^<]*)<', page).group(1)
        assert html.unescape(card) == html.unescape(in_table), slug


def test_hostile_names_are_escaped(site):
    html = _all_html(site["dir"])
    for name in HOSTILE:
        assert name not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The only scripts are the report's own (sorting, filters, export), never a value from the data.
    assert html.count("<script") == html.count("<script>/* flightrisk report:")
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


def test_swedish_site_is_swedish(swedish_site):
    html = _all_html(swedish_site)
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
    done = run_in_process(
        "report",
        "--model",
        model_world["model_dir"],
        "--scores",
        path,
        "--raw",
        model_world["raw"],
        "--out",
        tmp_path / "site",
        "--manager",
        "E-nobody",
    )
    assert done.returncode == 2 and "E-nobody" in done.stderr
    assert not (tmp_path / "site").exists()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def browser(site):
    """A real headless Chromium (Debian's, driven by Playwright), or a skip saying why not."""
    if _chromium() is None:
        pytest.skip("no Chromium on this machine (make test installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (uv sync)")
    with sync_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def swedish_site(model_world, scores, latest_features, tmp_path_factory):
    out = tmp_path_factory.mktemp("sv_site") / "site"
    build_site(
        model_world["model"],
        scores,
        out,
        tables=model_world["tables"],
        features=latest_features,
        words=words_for("sv"),
    )
    return out


def _pages_to_check(folder: Path, scores, everybody: bool = True) -> list[Path]:
    """The overview, a shown team's page, a person's page (and the long people page: axe takes seconds
    on its 600 rows, so once per suite)."""
    shown_team = next(
        p
        for p in sorted((folder / "managers").glob("*.html"))
        if 'id="suppressed"' not in p.read_text("utf-8")
    )
    person = folder / "people" / f"{page_slug(scores['employee_id'].iloc[2])}.html"
    return [folder / "index.html", shown_team, person] + ([folder / "people.html"] if everybody else [])


@pytest.mark.browser
def test_pages_pass_axe_and_run_without_console_errors(site, swedish_site, scores, browser):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    for path in _pages_to_check(site["dir"], scores) + _pages_to_check(swedish_site, scores, everybody=False):
        page.goto(path.as_uri())
        result = axe.run(page).response
        serious = [
            (v["id"], len(v["nodes"])) for v in result["violations"] if v["impact"] in ("serious", "critical")
        ]
        assert not serious, (path, serious)
        assert result["passes"], path  # axe really ran
    assert not errors, errors
    page.close()


@pytest.mark.browser
def test_filters_sort_and_export_work_in_a_browser(site, scores, browser):
    page = browser.new_page(accept_downloads=True)
    page.goto((site["dir"] / "people.html").as_uri())
    assert page.locator(".filters").is_visible()
    high = int((scores["risk_band"] == "high").sum())
    page.select_option("select[data-column='2']", "high")
    assert page.locator("#people tbody tr:visible").count() == high
    assert page.locator("#shown-count").text_content() == str(high)
    with page.expect_download() as download:
        page.click("[data-export='people']")
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == high + 1 and lines[0].startswith('"Person","Risk"')
    page.select_option("select[data-column='2']", "")
    page.locator("#people thead th").nth(1).locator("button").click()  # risk, ascending
    risks = [
        float(v)
        for v in page.locator("#people tbody tr td:nth-child(2)").evaluate_all(
            "cells => cells.map(c => c.getAttribute('data-sort'))"
        )
    ]
    assert risks == sorted(risks) and len(risks) == len(scores)
    page.close()


@pytest.mark.browser
def test_pages_fit_a_390_px_phone(site, swedish_site, scores, browser):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    for path in _pages_to_check(site["dir"], scores) + _pages_to_check(swedish_site, scores):
        page.goto(path.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        # Every chart fits the phone too; a person page always draws the lever chart.
        charts = page.locator("svg.lever-chart")
        assert charts.count() >= (1 if path.parent.name == "people" else 0), path
        for i in range(charts.count()):
            box = charts.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, path
    page.close()


def _person_page(site, eid) -> str:
    return (site["dir"] / "people" / f"{page_slug(eid)}.html").read_text(encoding="utf-8")


def test_managers_are_sorted_by_expected_exits_and_small_teams_show_nothing(site, scores):
    index = (site["dir"] / "index.html").read_text(encoding="utf-8")
    table = index.split('id="managers"')[1].split("</table>")[0]
    exits = [float(v) for v in re.findall(r'data-sort="(-?[\d.]+)"', table)]
    shown = [v for v in exits if v >= 0]
    assert shown == sorted(shown, reverse=True) and len(shown) > 3
    assert exits == shown + [-1.0] * (len(exits) - len(shown))  # hidden teams last, no figure
    # The heatmap has the organisation's row and one row per shown team, never a hidden one.
    heat = index.split('id="heatmap"')[1].split("</table>")[0]
    assert EN["organisation_average"] in heat
    assert heat.count("<tr>") == len(shown) + 1  # + the header row
    # The overview lists the first 20 teams; teams.html lists every team and its heatmap rows.
    teams = (site["dir"] / "teams.html").read_text(encoding="utf-8")
    all_rows = re.findall(r'data-sort="(-?[\d.]+)"', teams.split('id="managers"')[1].split("</table>")[0])
    assert len(exits) == min(20, len(all_rows)) and len(all_rows) == len(
        list((site["dir"] / "managers").glob("*"))
    )
    assert [float(v) for v in all_rows][: len(exits)] == exits


def test_risk_reads_as_a_whole_percent_with_how_sure_it_is(site, scores, model_world):
    bins = model_world["model"].metadata["calibration_bins"]
    for row in pd.concat([scores.head(20), scores.nlargest(20, "risk")]).itertuples():
        html = _person_page(site, row.employee_id)
        assert "within 12 months" in html  # the horizon, on every page
        assert 'id="bands-explained"' in html
        shown = re.search(r'id="risk">([^<]+)<', html).group(1)
        assert re.fullmatch(r"(\d{1,2}|< 1|> 99) %", shown), shown
        if shown[0].isdigit():
            assert int(shown.split()[0]) == round(row.risk * 100)
        certainty = re.search(r'id="certainty">([^<]+)<', html).group(1)
        stated = re.search(r"\(([\d,]+) people scored (\d+)–(\d+) %\)", certainty)
        if stated is None:
            assert "Too few people" in certainty
            continue
        # The group named is the bins in the stated range; it holds the person, at least 30 people,
        # and the share said is theirs.
        n, low, high = int(stated.group(1).replace(",", "")), int(stated.group(2)), int(stated.group(3))
        assert low <= row.risk * 100 < high + 1e-9 and n >= 30
        inside = [x for x in bins if low <= x["bin"] * 10 < high]
        assert sum(x["n"] for x in inside) == n
        observed = sum(x["observed"] * x["n"] for x in inside) / n
        expected = f"{round(observed * 10)} in 10" if observed >= 0.15 else f"{round(observed * 100)} in 100"
        assert f"About {expected} people" in certainty, certainty


def test_every_page_states_the_horizon(site):
    for page in site["dir"].rglob("*.html"):
        assert "risk of leaving within 12 months" in page.read_text(encoding="utf-8"), page


def test_trends_end_at_today_and_say_what_changed(site, scores):
    history = site["history"]
    for row in scores.head(15).itertuples():
        html = _person_page(site, row.employee_id)
        months = history[history["employee_id"] == row.employee_id]
        table = html.split("trend-table")[1].split("</table>")[0]
        rows = re.findall(r"<tr><td>(\d{4}-\d{2})</td><td class=\"num\">([^<]+)</td>", table)
        assert len(rows) == min(len(months), 12) and len(rows) >= 2
        assert rows[-1][0] == str(pd.Timestamp(row.snapshot_date).date())[:7]
        # The last month of the trend is today's score, from the same model.
        assert rows[-1][1] == re.search(r'id="risk">([^<]+)<', html).group(1)
        change = months["risk"].iloc[-1] - months["risk"].iloc[-2]
        assert f"Since last month: risk {words_for('en').points(change)}." in html


def test_team_trends_only_where_the_team_is_shown(site):
    with_trend = 0
    for page in (site["dir"] / "managers").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert ("trend-table" in html) <= (EN["suppressed"] not in html)
        with_trend += "trend-table" in html
    assert with_trend > 0


def test_a_month_missing_from_a_trend_is_not_called_last_month():
    from flightrisk.report.trends import trend_view

    rows = pd.DataFrame(
        {
            "snapshot_date": pd.to_datetime(["2026-09-30", "2026-10-31", "2026-12-31"]),
            "risk": [0.2, 0.25, 0.3],
            "lever_compensation": [0.01, 0.02, 0.05],
        }
    )
    gap = trend_view(rows, ["compensation"], words_for("en"))
    assert gap["risk_change"] is None and gap["moved_lever"] is None and len(gap["rows"]) == 3
    # The points sit at their months: November's gap is a gap, not an even step.
    xs = [float(p.split(",")[0]) for p in gap["line"].split()]
    assert xs[1] - xs[0] == (xs[2] - xs[1]) / 2
    consecutive = trend_view(rows.iloc[:2], ["compensation"], words_for("en"))
    assert consecutive["risk_change"] == "+5.0 points" and consecutive["moved_change"] == "+1.0 points"


def test_drivers_add_a_point_or_more_and_context_is_said_as_context(model_world, latest_features):
    from flightrisk.explain.person import explain_people

    people = explain_people(model_world["model"], latest_features.head(80), with_actions=False)
    catalog = model_world["model"].catalog
    context_labels = {s.label("en") for s in catalog.features if s.lever == "context"}
    assert any(p["context_drivers"] for p in people)
    for p in people:
        assert all(d["points"] >= 0.01 for d in p["drivers"])
        assert all(d["points"] <= -0.01 and d["value"] is not None for d in p["strengths"])
        assert all(d["lever"] != "context" for d in p["drivers"] + p["strengths"])
        assert all(
            text.split(":")[0] in context_labels or text.startswith("New in") for text in p["context_drivers"]
        )
        top = p["top_lever"]
        assert top is None or p["levers"][top] >= 0.01


def test_people_page_is_names_only_below_the_threshold(model_world, scores, latest_features, tmp_path):
    out = tmp_path / "few"
    build_site(
        model_world["model"], scores.head(4), out, tables=model_world["tables"], features=latest_features
    )
    page = (out / "people.html").read_text(encoding="utf-8")
    assert EN["suppressed"] in page and " %" not in page.split("<main")[1].split('class="notice"')[0]


# ---- Every sentence on 50 person pages against the raw tables --------------------------------------

ROLE_ORDER = ["SDR", "Account Executive", "Senior Account Executive", "Key Account Manager", "Team Lead"]
PLURAL_TO_ROLE = {
    "SDRs": "SDR",
    "Account Executives": "Account Executive",
    "Senior Account Executives": "Senior Account Executive",
    "Key Account Managers": "Key Account Manager",
    "Team Leads": "Team Lead",
}
EVENT_WORDS = {
    "pay raise": "raise",
    "promotion": "promotion",
    "recognition": "recognition",
    "check-in with the manager": "check_in",
}


def _months_between(later, earlier) -> int:
    later, earlier = pd.Timestamp(later), pd.Timestamp(earlier)
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _raw_facts(tables, snapshot):
    """Re-derived from the raw tables, independently of the feature code: each person's last event
    dates, hire date, job at the snapshot, and where each event's records begin."""
    snap = pd.Timestamp(snapshot)
    rec = tables["recognition"]
    talks = tables["one_on_ones"]
    pay = tables["compensation"].sort_values(["employee_id", "effective_date"], kind="stable")
    pay = pay[pay["effective_date"] <= snap]
    before = pay.groupby("employee_id")["base_salary_monthly"].shift(1)
    jobs = tables["job_history"].sort_values(["employee_id", "effective_date"], kind="stable")
    jobs = jobs[jobs["effective_date"] <= snap]
    rank = jobs["role"].map({r: i for i, r in enumerate(ROLE_ORDER)}) * 100 + jobs["level"]
    prev_rank = rank.groupby(jobs["employee_id"]).shift(1)
    last = {
        "recognition": rec[rec["date"] <= snap].groupby("employee_id")["date"].max(),
        "check_in": talks[(talks["kind"] == "check_in") & (talks["date"] <= snap)]
        .groupby("employee_id")["date"]
        .max(),
        "raise": pay[before.notna() & (pay["base_salary_monthly"] > before)]
        .groupby("employee_id")["effective_date"]
        .max(),
        "promotion": jobs[prev_rank.notna() & (rank > prev_rank)]
        .groupby("employee_id")["effective_date"]
        .max(),
    }
    starts = {
        "recognition": rec["date"].min(),
        "check_in": talks["date"].min(),
        "raise": tables["compensation"]["effective_date"].min(),
        "promotion": tables["job_history"]["effective_date"].min(),
    }
    current_job = jobs.groupby("employee_id").tail(1).set_index("employee_id")
    current_pay = pay.groupby("employee_id").tail(1).set_index("employee_id")["base_salary_monthly"]
    hired = tables["employees"].set_index("employee_id")["hire_date"]
    return last, starts, current_job, current_pay, hired


def _sentences(html: str) -> list[str]:
    out = []
    for section in ("drivers", "strengths", "context"):
        block = re.search(rf'id="{section}">(.*?)</(ol|ul)>', html, re.S)
        out += re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []
    return [str(markupsafe.Markup(s).unescape()) for s in out]


def test_fifty_person_pages_say_only_true_things(site, scores):
    checked = check_person_pages(site["dir"], site["tables"], scores, 50)
    assert checked["event"] >= 10 and checked["pay"] >= 3 and checked["other"] >= 20, checked


def check_person_pages(site_dir: Path, tables, scores, how_many: int) -> dict:
    """Check every driver, strength and context sentence of `how_many` person pages against the raw
    tables; the counts of sentences checked by kind. Also run on the default world (docs/report.md)."""
    snapshot = pd.Timestamp(scores["snapshot_date"].max())
    last, starts, job, base_pay, hired = _raw_facts(tables, snapshot)
    active = job.loc[job.index.isin(scores["employee_id"])]
    sample = scores["employee_id"].sample(how_many, random_state=0)
    checked = {"event": 0, "pay": 0, "other": 0}
    for eid in sample:
        html = (site_dir / "people" / f"{page_slug(eid)}.html").read_text(encoding="utf-8")
        texts = _sentences(html)
        for text in texts:
            # Every sentence ends with its signed effect in points, and never says "1 months".
            assert re.search(r"\((\+|−|±)\d+\.\d points\)$", text), text
            assert not re.search(r"(?<![\d.,])1 (months|years|days|hours)\b", text), text
            # Months-since values are said as events (a count, none since joining, none in the records),
            # never as "Months since the last recognition: 193 months" for someone hired before the data.
            assert not text.startswith("Months since"), text
            event = re.match(
                r"(?:Last|No) (pay raise|promotion|recognition|check-in with the manager)\b", text
            )
            if event:
                checked["event"] += 1
                kind = EVENT_WORDS[event.group(1)]
                when = last[kind].get(eid)
                tenure = _months_between(snapshot, hired[eid])
                if text.startswith("Last "):
                    n = re.search(r": (this month|(\d+) months?(?: \(about \d+ years\))? ago)", text)
                    assert when is not None, text
                    assert (0 if n.group(1) == "this month" else int(n.group(2))) == _months_between(
                        snapshot, when
                    )
                elif " since joining " in text:
                    assert when is None and hired[eid] >= starts[kind], text
                    assert int(re.search(r"since joining (\d+) months?", text).group(1)) == tenure
                else:
                    assert when is None and hired[eid] < starts[kind], text
                    records = int(
                        re.search(r"in the (\d+) months?(?: \(about \d+ years\))? of records", text).group(1)
                    )
                    assert records == _months_between(snapshot, starts[kind]) and records < tenure
                continue
            pay = re.match(
                r"Base pay is (\d+) % (below|above) the median for (?:level-(\d+) )?(.+?)(?: in (\S+))? \(",
                text,
            )
            if pay:
                checked["pay"] += 1
                pct, side, level, plural, region = pay.groups()
                me = job.loc[eid]
                peers = active[active["role"] == PLURAL_TO_ROLE[plural]]
                assert me["role"] == PLURAL_TO_ROLE[plural]
                if region:
                    assert me["region"] == region
                    peers = peers[peers["region"] == region]
                if level:
                    assert int(me["level"]) == int(level)
                    peers = peers[peers["level"] == int(level)]
                assert len(peers) >= 5, text  # a named group has at least five people
                ratio = base_pay[eid] / base_pay.reindex(peers.index).median()
                assert round(abs(ratio - 1) * 100) == int(pct) and (ratio < 1) == (side == "below"), text
                continue
            checked["other"] += 1
            role = re.match(r"Role: (.+) \(", text)
            if role:
                assert job.loc[eid, "role"] == role.group(1)
            region = re.match(r"Region: (.+) \(", text)
            if region:
                assert job.loc[eid, "region"] == region.group(1)
            at_company = re.match(r"(?:Months at the company: |New in the company \()(\d+) months?", text)
            if at_company:
                assert int(at_company.group(1)) == _months_between(snapshot, hired[eid])
    return checked


def test_improvements_that_add_risk_say_why_and_events_say_what_is_known(model_world):
    from flightrisk.explain.narrative import RECORDS_START, sentence

    catalog = model_world["model"].catalog
    improving = sentence(catalog, "attainment_trend", 0.05, {}, words_for("en"), 0.02)
    assert improving.startswith(
        "Change in attainment (3 months against 12): +5 percentage points — an improvement"
    )
    worse = sentence(catalog, "attainment_trend", -0.05, {}, words_for("en"), 0.02)
    assert worse == "Change in attainment (3 months against 12): −5 percentage points (+2.0 points)"
    # Hired in 2010, recognition records from 2022: the three facts a months-since value can mean.
    row = {"tenure_months": 203.0, "snapshot_date": pd.Timestamp("2026-12-31")}
    assert sentence(catalog, "months_since_recognition", 203.0, row, words_for("en"), 0.03) == (
        "No recognition on record since joining 203 months (about 17 years) ago (+3.0 points)"
    )
    known = {**row, RECORDS_START: {"months_since_recognition": pd.Timestamp("2022-01-01")}}
    assert sentence(catalog, "months_since_recognition", 203.0, known, words_for("en"), 0.03) == (
        "No recognition in the 59 months (about 5 years) of records (+3.0 points)"
    )
    assert sentence(catalog, "months_since_recognition", 1.0, known, words_for("sv"), 0.03) == (
        "Senaste erkännande: för 1 månad sedan (+3,0 procentenheter)"
    )
    joined = {**known, "tenure_months": 14.0}
    assert sentence(catalog, "months_since_last_raise", 14.0, joined, words_for("en"), 0.03) == (
        "No pay raise on record since joining 14 months ago (+3.0 points)"
    )
