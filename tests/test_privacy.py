"""The k >= 5 rule and survey confidentiality, on pages, features, drivers and the fairness audit."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flightrisk.features.snapshots import MIN_PEERS
from flightrisk.messages import REPORT_EN as EN
from flightrisk.privacy import MIN_GROUP, shown_groups
from flightrisk.report.site import build_site


@given(st.lists(st.integers(1, 12), min_size=1, max_size=12), st.integers(0, 6))
def test_shown_groups_never_leave_a_recoverable_small_remainder(sizes, outside):
    groups = {f"g{i}": n for i, n in enumerate(sizes)}
    total = sum(sizes) + outside
    shown = shown_groups(groups, total)
    assert all(groups[g] >= MIN_GROUP for g in shown)
    hidden = total - sum(groups[g] for g in shown)
    assert hidden == 0 or hidden >= MIN_GROUP or not shown


def _org(team_sizes: list[int], no_manager: int):
    """A tiny organisation: tables for the report's directory and scores for everybody."""
    jobs, names, scores = [], [], []
    rng = np.random.default_rng(len(team_sizes) * 31 + no_manager)
    people = 0
    managers = [f"M{t}" for t in range(len(team_sizes))]
    for t, size in enumerate([*team_sizes, no_manager]):
        for _ in range(size):
            eid = f"E{people:03d}"
            people += 1
            manager = managers[t] if t < len(team_sizes) else None
            jobs.append(
                {
                    "employee_id": eid,
                    "effective_date": pd.Timestamp("2025-01-01"),
                    "manager_id": manager,
                    "team_id": manager,  # the schema requires a team: one per manager here
                    "region": "Norr",
                    "role": "SDR",
                }
            )
            names.append({"employee_id": eid, "name": f"Person {eid}"})
            risk = float(rng.uniform(0.01, 0.9))
            scores.append(
                {
                    "employee_id": eid,
                    "snapshot_date": pd.Timestamp("2025-06-30"),
                    "risk": risk,
                    "risk_band": "high" if risk >= 0.35 else "medium" if risk >= 0.15 else "low",
                    "percentile": 50.0,
                    "low_confidence": False,
                }
            )
    for m in managers:
        names.append({"employee_id": m, "name": f"Manager {m}"})
    tables = {"job_history": pd.DataFrame(jobs), "employees": pd.DataFrame(names)}
    return tables, pd.DataFrame(scores)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(1, 9), min_size=1, max_size=6), st.integers(0, 3))
def test_no_page_shows_a_figure_about_fewer_than_five_people(
    model_world, tmp_path_factory, team_sizes, no_manager
):
    tables, scores = _org(team_sizes, no_manager)
    out = tmp_path_factory.mktemp("k5") / "site"
    build_site(model_world["model"], scores, out, tables=tables)
    index = (out / "index.html").read_text(encoding="utf-8")
    total = len(scores)
    rows = re.findall(r'<tr><td><a href="managers/[^"]+">[^<]*</a></td><td class="num">([^<]*)</td>', index)
    assert len(rows) == len(team_sizes), "the manager table was not found: the check below would be vacuous"
    shown = [int(v) for v in rows if v.strip().isdigit()]
    assert all(n >= MIN_GROUP for n in shown)
    left_out = total - sum(shown)
    assert left_out == 0 or left_out >= MIN_GROUP or not shown, (
        "the total minus shown teams reveals a small group"
    )
    if total < MIN_GROUP:
        assert "%" not in index.split("<h2>")[-1] and EN["suppressed"] in index
    for page in (out / "managers").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        if EN["suppressed"] in html:
            body = html.split('id="suppressed"')[1]
            assert "%" not in body and 'class="value"' not in body, (
                f"{page.name} shows figures of a hidden team"
            )
            assert "<table" not in body, f"{page.name} lists the risks of a hidden team"


def test_peer_comparisons_rest_on_at_least_five_people(model_world):
    features = model_world["features"]
    recent = features["tenure_months"] < 24
    newer = recent.groupby([features["snapshot_date"], features["role"], features["region"]]).transform("sum")
    assert features.loc[newer < MIN_PEERS, "pay_vs_newer_hires"].isna().all()
    assert features.loc[newer >= MIN_PEERS, "pay_vs_newer_hires"].notna().any()
    peers = features.groupby(["snapshot_date", "role"])["employee_id"].transform("count")
    assert features.loc[peers < MIN_PEERS, "promotion_wait_vs_peers"].isna().all()


def test_team_culture_means_need_five_answers():
    from flightrisk.features.culture import culture_features
    from flightrisk.features.snapshots import month_key

    members = {"T": [f"T{i}" for i in range(4)], "U": [f"U{i}" for i in range(5)]}
    when = pd.Timestamp("2025-03-31")
    panel = pd.DataFrame(
        [{"employee_id": e, "team_id": t, "snapshot_date": when} for t, ids in members.items() for e in ids]
    )
    panel["month_key"] = month_key(panel["snapshot_date"]).astype("int64")
    survey = pd.DataFrame(
        {
            "employee_id": panel["employee_id"],
            "survey_date": pd.Timestamp("2025-03-15"),
            "culture": np.arange(len(panel), dtype=float) % 5 + 1,
            "enps": 7,
        }
    )
    score = culture_features(panel, {"engagement_survey": survey})["team_culture_score"]
    assert score[panel["team_id"] == "T"].isna().all(), "a mean over 4 answers was kept"
    expected = survey.loc[panel["team_id"] == "U", "culture"].mean()
    assert np.allclose(score[panel["team_id"] == "U"], expected)


def test_a_groups_survey_mean_needs_five_answers_and_nothing_later():
    """A survey mean per group (here the manager; the team's culture score groups by team): each
    answer counts for the group the person was in that month, a group with four answers has no mean,
    and a row reads its group's latest mean on or before the snapshot."""
    from flightrisk.features.snapshots import group_survey_mean, month_key

    march, april = pd.Timestamp("2025-03-31"), pd.Timestamp("2025-04-30")
    reports = {"M": [f"M{i}" for i in range(4)], "N": [f"N{i}" for i in range(5)]}
    rows = [
        {"employee_id": e, "manager_id": m, "snapshot_date": when}
        for m, ids in reports.items()
        for e in ids
        for when in (march, april)
    ]
    panel = pd.DataFrame(rows)
    # N0 moves to M in April: their April row is M's team, read on M's score (M has none: 4 answers).
    panel.loc[(panel["employee_id"] == "N0") & (panel["snapshot_date"] == april), "manager_id"] = "M"
    panel["month_key"] = month_key(panel["snapshot_date"]).astype("int64")
    people = [e for ids in reports.values() for e in ids]
    survey = pd.DataFrame(
        {
            "employee_id": people * 2,
            "survey_date": [pd.Timestamp("2025-03-15")] * len(people)
            + [pd.Timestamp("2025-05-15")] * len(people),
            "manager_support": np.r_[np.arange(len(people)) % 5 + 1.0, np.full(len(people), 5.0)],
        }
    )
    score = pd.Series(group_survey_mean(panel, survey, "manager_support", "manager_id"), index=panel.index)
    assert score[panel["manager_id"] == "M"].isna().all(), "a mean over 4 answers was kept"
    on_n = panel["manager_id"] == "N"
    expected = survey.loc[
        survey["employee_id"].str.startswith("N") & (survey["survey_date"].dt.month == 3), "manager_support"
    ].mean()
    assert np.allclose(score[on_n], expected)  # March's answers, May's (all 5.0) not yet given
    assert score[on_n].nunique() == 1 and expected != 5.0


def test_no_page_or_driver_shows_a_persons_survey_answer(model_world, tmp_path):
    from flightrisk.explain.person import explain_people
    from flightrisk.score.batch import score_frame

    model = model_world["model"]
    confidential = {s.name for s in model.catalog.features if s.confidential}
    assert {"survey_manager_support", "survey_culture", "survey_enps", "survey_growth"} <= confidential
    features = model_world["features"]
    latest = features[features["snapshot_date"] == features["snapshot_date"].max()].reset_index(drop=True)
    people = explain_people(model, latest, with_actions=False)
    for person in people:
        assert not {d["feature"] for d in person["drivers"]} & confidential
        assert all(c["value"] is None for c in person["contributions"] if c["feature"] in confidential)
    scores = score_frame(model, latest, explain=True)
    driver_columns = [c for c in scores.columns if re.fullmatch(r"driver_\d+", c)]
    assert not set(scores[driver_columns].stack()) & confidential
    out = tmp_path / "site"
    build_site(model, scores, out, tables=model_world["tables"], features=latest)
    html = "\n".join(p.read_text(encoding="utf-8") for p in (out / "people").glob("*.html"))
    for spec in model.catalog.features:
        if spec.confidential:
            assert spec.label_en not in html, f"a person page quotes {spec.name}"


def test_fairness_groups_cannot_be_recovered_by_subtraction():
    from flightrisk.model.fairness import fairness_audit

    rng = np.random.default_rng(0)
    people = [f"E{i}" for i in range(40)]
    genders = ["female"] * 20 + ["male"] * 17 + ["non-binary"] * 3
    employees = pd.DataFrame({"employee_id": people, "gender": genders, "birth_year": 1985})
    holdout = pd.DataFrame(
        {
            "employee_id": people,
            "snapshot_date": pd.Timestamp("2025-06-30"),
            "label": rng.integers(0, 2, 40),
            "risk": rng.uniform(0, 1, 40),
        }
    )
    audit = fairness_audit(holdout, employees)
    shown = audit["groups"]["gender"]
    hidden_people = 40 - sum(g["people"] for g in shown.values())
    assert "non-binary" not in shown and (hidden_people == 0 or hidden_people >= MIN_GROUP)


def test_flat_catalog_refuses_columns_that_look_protected():
    from flightrisk.errors import InputError
    from flightrisk.flat.catalog import check_against_table, flat_catalog_from_dict

    table = pd.DataFrame(
        {
            "id": range(10),
            "left": ["y", "n"] * 5,
            "Sex": ["M", "F"] * 5,
            "YearsAtCompany": range(10),
            "civil": ["single", "married"] * 5,
        }
    )
    features = {
        name: {"lever": "context", "unit": "count", "label_en": name, "label_sv": name}
        for name in ("Sex", "YearsAtCompany", "civil")
    }
    features["Sex"]["type"] = features["civil"]["type"] = "categorical"
    features["Sex"]["unit"] = features["civil"]["unit"] = "category"
    raw = {"table": {"id": "id", "label": "left", "positive": "y", "negative": "n"}, "features": features}
    with pytest.raises(InputError) as info:
        check_against_table(flat_catalog_from_dict(raw, "cat.yaml"), table, "cat.yaml")
    message = str(info.value)
    assert "'Sex'" in message and "'civil'" in message and "YearsAtCompany" not in message
    raw["table"]["allow"] = {"Sex": "a test that needs it", "civil": "ditto"}
    check_against_table(flat_catalog_from_dict(raw, "cat.yaml"), table, "cat.yaml")
