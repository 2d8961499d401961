"""The static HTML report: an overview, one page per manager and one per person.

Names and managers are joined in from the raw extract at render time (scores carry ids only).
Everything is rendered by Jinja2 with autoescaping on; charts are SVG drawn by template macros
from plain numbers, so no value ever reaches the page unescaped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

import flightrisk
from flightrisk.errors import InputError
from flightrisk.explain.narrative import PAY_PEER_SCOPE, pay_peer_scope, records_start
from flightrisk.explain.person import Computed, explain_people, explained_families, people_from_scores
from flightrisk.features.directory import people_directory
from flightrisk.i18n import Words, words_for
from flightrisk.io import restore_interrupted_swap, staged_folder, swap_folder
from flightrisk.model.risk_model import RiskModel
from flightrisk.plan.evidence import levers_not_established, rests_on_signals
from flightrisk.privacy import MIN_GROUP, shown_groups
from flightrisk.report.certainty import bands_sentence, certainty_sentence
from flightrisk.report.plan_view import by_person, plan_rows, plan_totals, team_totals
from flightrisk.report.strings import team_title
from flightrisk.report.trends import survival_view, team_history, trend_view


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("flightrisk.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


TOP_PEOPLE = 25  # the overview lists the riskiest; people.html lists everybody
TOP_TEAMS = 20  # the overview lists the teams with most expected exits; teams.html lists every team
SITE_MARKER = ".flightrisk-report"  # written into every site; a folder without it is not ours to replace


def page_slug(employee_id: str, hashed: bool = False) -> str:
    """A file name for an id: readable when the id is tame, with a hash of the id when it is not."""
    text = str(employee_id)
    safe = re.sub(r"[^A-Za-z0-9_]", "_", text)[:60]
    if hashed or safe != text or not text:
        safe += "-" + hashlib.sha256(text.encode()).hexdigest()[:16]
    return safe


def page_slugs(ids) -> dict[str, str]:
    """File names for a set of ids, distinct even on a case-insensitive file system ("E1" vs "e1")."""
    ids = sorted({str(i) for i in ids})
    folded = pd.Series([page_slug(i).lower() for i in ids]).duplicated(keep=False).to_numpy()
    slugs = {i: page_slug(i, hashed=bool(clash)) for i, clash in zip(ids, folded, strict=True)}
    if len({s.lower() for s in slugs.values()}) != len(slugs):  # a 64-bit hash collision: refuse
        raise InputError("two ids map to the same page file name; make the ids distinct")
    return slugs


def _prepare_out_dir(out_dir: Path) -> None:
    """Refuse to replace a folder that this tool did not write (it may hold audit logs or more)."""
    restore_interrupted_swap(out_dir)  # a run killed mid-swap left the last site aside
    if not out_dir.exists():
        return
    entries = {p.name for p in out_dir.iterdir()} if out_dir.is_dir() else None
    legacy = {"index.html", "people", "managers"}  # a site written before the marker existed
    if entries is None or (entries and SITE_MARKER not in entries and entries != legacy):
        raise InputError(
            f"{out_dir}: exists and is not a report written by flightrisk (no {SITE_MARKER} in it); the report "
            "replaces its folder as a whole, so choose a new or empty folder for --out"
        )


def _person_views(model, scores, features, words, tables=None, top_k=3, computed=None) -> dict[str, dict]:
    """Each person's explanation from the one engine: from features when we have them (with what the
    model computed, when the bundle of `score --explain` carries it), else as saved with the scores."""
    if features is not None:
        starts = records_start(tables) if tables is not None else None
        people = explain_people(
            model, features, words=words, top_k=top_k, records_start=starts, computed=computed
        )
    else:
        people = people_from_scores(scores, explained_families(model.catalog))
    return {p["employee_id"]: p for p in people}


def _manager_summary(manager_id: str, group: pd.DataFrame, words: Words, show: bool, slugs: dict) -> dict:
    """A manager's team in numbers; with `show` False (privacy) no number about it is kept at all."""
    return {
        "id": manager_id,
        "name": group["manager"].iloc[0],
        "href": f"managers/{slugs[manager_id]}.html",
        "show": show,
        "size": len(group) if show else None,
        "mean_risk": words.percent(group["risk"].mean()) if show else None,
        "high": int((group["band"] == "high").sum()) if show else None,
        # Expected exits within the horizon: the sum of calibrated risks; what a manager plans around.
        "expected_exits": float(group["risk"].sum()) if show else None,
        "expected_exits_text": words.fixed(group["risk"].sum(), 1) if show else None,
    }


def _lever_pressure(levers: list[dict[str, float]]) -> dict[str, float]:
    """Per lever family, the average risk it adds (counting only where it raises risk).

    A plain mean is close to zero by construction (the base rate is the average), which would
    hide that a lever pushes many people up and a few down.
    """
    families = list(levers[0]) if levers else []  # the families the model explains (all people alike)
    return {f: float(np.mean([max(item[f], 0.0) for item in levers])) for f in families}


def _lever_rows(levers: dict[str, float], words: Words) -> list[dict]:
    return [
        {
            "label": words.lever(f),
            "value": float(v),
            "text": words.points(float(v)),
            # In the chart only the signed figure: the unit is in the note above it, and
            # "procentenheter" would not fit beside a bar on a phone.
            "short": words.points(float(v)).split(" ")[0],
        }
        for f, v in levers.items()
    ]


def _effect_rows(view: dict, words: Words) -> list[dict]:
    """The causal panel's bars: each lever's measured effect, marked where it is not an established cause."""
    rows = _lever_rows(view.get("effects") or {}, words)
    status = view.get("lever_status") or {}
    for row, lever in zip(rows, (view.get("effects") or {}), strict=True):
        if lever in status and not status[lever]["established"]:
            row["label"] += words["not_established_mark"]
    return rows


def build_site(
    model: RiskModel,
    scores: pd.DataFrame,
    out_dir: Path,
    tables: dict[str, pd.DataFrame] | None = None,
    features: pd.DataFrame | None = None,
    words: Words | None = None,
    manager: str | None = None,
    plan: pd.DataFrame | None = None,
    plan_budget: float | None = None,
    plan_measured: set[str] = frozenset(),
    history: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
    documents: dict[str, str] | None = None,
    computed: Computed | None = None,
) -> dict:
    """Render the site into `out_dir` (replaced as a whole once complete). Returns page counts.

    `documents` (file name → HTML: the model card and the instructions for use, in the site's
    language) are written beside the index and linked from the foot of every page.

    With `plan` (from `flightrisk plan`), also a plan page and the plan's rows on team and person pages;
    `plan_measured`: the options the plan priced at a measured effect (its summary's `measured_effects`).
    With `history` (`trends.monthly_history`, or a function giving it, called once the input is known
    to be good), each person's and shown team's last 12 months. With `computed` (one per row of
    `features`, from `score --explain`'s bundle) the model is not run again: the pages put it into words.
    """
    words = words or words_for("en")
    t = words.table
    scores, snapshot = _latest_scores(scores)
    directory = people_directory(tables, snapshot).set_index("employee_id")
    if manager is not None:
        scores = _one_team(scores, directory, manager, tables is not None, snapshot)
    if features is not None:
        features = features.reset_index(drop=True)
        same_month = (pd.to_datetime(features["snapshot_date"]) == snapshot).to_numpy()
        keep = same_month if same_month.any() else np.ones(len(features), dtype=bool)
        features = features[keep].reset_index(drop=True)
        if "level" in features and "region" in features:
            # Named from the whole month, before a team is cut out: the group a pay ratio used.
            features[PAY_PEER_SCOPE] = pay_peer_scope(features)
        scored = features["employee_id"].astype(str).isin(set(scores["employee_id"])).to_numpy()
        features = features[scored]
        if computed is not None:
            computed = computed.take(keep).take(scored)
    views = _person_views(model, scores, features, words, tables, computed=computed)
    slugs = page_slugs(set(scores["employee_id"]) | set(directory["manager_id"].dropna()))
    people = _people_rows(scores, directory, views, slugs, words)
    show = len(people) >= MIN_GROUP
    managers = _team_summaries(people, manager, tables is not None, show, slugs, words)
    planned = None
    if plan is not None:
        on_signals = rests_on_signals(plan, levers_not_established(model), set(plan_measured))
        planned = plan_rows(plan.assign(on_signals=on_signals), people, model.catalog, words)
    site = _Site(
        env=_environment(),
        common={
            "t": t,
            "lang": words.lang,
            "as_of": str(snapshot.date()),
            "model_version": str(model.metadata.get("created_utc", "")),
            "code_version": flightrisk.__version__,
            "horizon": model.horizon_months,
            "bands_text": bands_sentence(model.risk_bands, _leaving_share(model), words),
            # Columns nobody has a value in (a flat table has no managers or regions) are left out.
            "columns": {k: any(p[k] for p in people) for k in ("manager", "region", "role")},
            "documents": sorted(documents or {}),
        },
        words=words,
        people=people,
        views=views,
        show=show,
        managers=managers,
        planned=planned,
        slugs=slugs,
        history=_by_person(history() if callable(history) else history),
        families=explained_families(model.catalog),
        calibration_bins=model.metadata.get("calibration_bins"),
        calibration_source=str(model.metadata.get("calibration_source", "holdout months")),
    )
    with _staged_site(Path(out_dir), str(snapshot.date())) as staging:
        for name, html in (documents or {}).items():
            (staging / name).write_text(html, encoding="utf-8")
        title = t["title"] if manager is None else team_title(t, managers[0]["name"])
        site.write_index(staging, title, scoped=manager is not None)
        site.write_people(staging, t["all_people"])
        if managers and manager is None:
            site.write_teams(staging, t["all_teams"])
        if planned is not None:
            site.write_plan(staging, plan_budget, scoped=manager is not None)
        for m in managers:
            site.write_manager(staging, m)
        for person in people:
            site.write_person(staging, person, model.horizon_months)
    return {"people": len(people), "managers": len(managers), "snapshot_date": str(snapshot.date())}


def _by_person(history: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    if history is None or history.empty:
        return {}
    return {str(eid): rows for eid, rows in history.groupby("employee_id", sort=False)}


def _leaving_share(model: RiskModel) -> float:
    """The share of people who leave in the data the model learned from: the mean of its calibrated
    risks there (kept as percentiles in the profile), the figure the bands are set around."""
    return float(np.mean(model.profile["risk_quantiles"]))


def _latest_scores(scores: pd.DataFrame) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The latest month's scores, riskiest first, with typed ids and dates."""
    scores = scores.copy()
    scores["employee_id"] = scores["employee_id"].astype(str)
    scores["snapshot_date"] = pd.to_datetime(scores["snapshot_date"])
    snapshot = scores["snapshot_date"].max()
    latest = scores[scores["snapshot_date"] == snapshot].sort_values("risk", ascending=False, kind="stable")
    return latest, snapshot


def _one_team(
    scores: pd.DataFrame, directory: pd.DataFrame, manager: str, has_extract: bool, snapshot
) -> pd.DataFrame:
    """The scores of one manager's team (`--manager`), refused when the team cannot be found."""
    if not has_extract:
        raise InputError("--manager needs --raw: the team is read from the raw extract's job history")
    team_ids = set(directory.index[directory["manager_id"] == manager])
    if not team_ids:
        raise InputError(f"manager {manager!r} has nobody reporting to them at {snapshot.date()}")
    scores = scores[scores["employee_id"].isin(team_ids)]
    if scores.empty:
        raise InputError(f"none of manager {manager!r}'s team is in the scores")
    return scores


def _people_rows(scores, directory, views, slugs, words) -> list[dict]:
    """One row per person for the tables: name, risk, band, manager, region, top lever."""

    def known(column: str, eid: str):
        value = directory[column].get(eid) if column in directory else None
        return value if isinstance(value, str) else None

    people = []
    for row in scores.to_dict("records"):
        eid = row["employee_id"]
        top = views[eid]["top_lever"]
        manager_id = known("manager_id", eid)
        people.append(
            {
                "id": eid,
                # A table without names (a flat table) titles pages "Person 100", not a bare "100".
                "name": known("name", eid) or f"{words['person']} {eid}",
                "href": f"people/{slugs[eid]}.html",
                "risk": float(row["risk"]),
                "risk_text": words.percent(float(row["risk"])),
                # A hazard model's risks at 3, 6 and 12 months (none for the 12-month classifier).
                "horizons": {
                    int(c[len("risk_") : -1]): float(row[c])
                    for c in row
                    if re.fullmatch(r"risk_\d+m", str(c)) and pd.notna(row[c])
                },
                "band": row["risk_band"],
                # Nobody above them in the extract (a top lead, a flat table): nothing to show, rather
                # than a "no manager" that reads as a fact about the person.
                "manager": (known("manager_name", eid) or manager_id) if manager_id else "",
                "manager_id": manager_id,
                "region": known("region", eid) or "",
                "role": known("role", eid) or views[eid].get("context", {}).get("role") or "",
                "top_lever": words.lever(top) if top is not None else "–",
            }
        )
    return people


def _team_summaries(people, manager, has_extract, show, slugs, words) -> list[dict]:
    """The manager pages to write: every team (figures only where k ≥ 5 allows), or the one asked for."""
    frame = pd.DataFrame(people)
    if manager is not None:
        return [_manager_summary(manager, frame, words, show, slugs)]
    if not has_extract:
        return []
    teams = dict(list(frame.dropna(subset=["manager_id"]).groupby("manager_id")))
    visible = shown_groups({mid: len(g) for mid, g in teams.items()}, len(frame)) if show else set()
    summaries = [_manager_summary(mid, group, words, mid in visible, slugs) for mid, group in teams.items()]
    # Most expected exits first; teams too small to show any figure follow in name order, so their
    # place in the list says nothing about their risk.
    return sorted(summaries, key=lambda m: (not m["show"], -(m["expected_exits"] or 0), str(m["name"])))


@contextlib.contextmanager
def _staged_site(out_dir: Path, as_of: str | None = None):
    """A staging folder beside `out_dir`, swapped in as a whole when the pages are all written."""
    _prepare_out_dir(out_dir)
    with staged_folder(out_dir) as staging:
        os.chmod(staging, 0o755)  # a web server's user must be able to read the site
        # The month the site speaks of, for the retention setting (`flightrisk retention`).
        (staging / SITE_MARKER).write_text(
            "written by flightrisk report; the folder is replaced as a whole\n"
            + (f"as_of: {as_of}\n" if as_of else "")
        )
        (staging / "people").mkdir()
        (staging / "managers").mkdir()
        yield staging
        swap_folder(staging, out_dir)


@dataclasses.dataclass
class _Site:
    """What every page draws on; one method per kind of page."""

    env: jinja2.Environment
    common: dict
    words: Words
    people: list[dict]
    views: dict[str, dict]
    show: bool  # the whole site has at least MIN_GROUP people, so organisation figures may be shown
    managers: list[dict]
    planned: list[dict] | None
    slugs: dict[str, str]
    history: dict[str, pd.DataFrame]
    families: list[str]
    calibration_bins: list[dict] | None
    calibration_source: str

    def __post_init__(self) -> None:
        self.planned_by_id = by_person(self.planned or [], self.words)
        # Who is in each team and what each lever adds there, worked out once for every page.
        self.members: dict[str, list[dict]] = {}
        for p in self.people:
            if p["manager_id"]:
                self.members.setdefault(p["manager_id"], []).append(p)
        self.org_pressure = self._pressure(self.people)
        self.team_pressure = {mid: self._pressure(team) for mid, team in self.members.items()}
        self.org_mean_risk = self.words.percent(float(np.mean([p["risk"] for p in self.people])))

    def _pressure(self, people: list[dict]) -> dict[str, float]:
        return _lever_pressure([self.views[p["id"]]["levers"] for p in people])

    def _write(self, path: Path, template: str, **values) -> None:
        # Pages one folder down (people/, managers/) reach the site's root documents through "../".
        up = "../" if path.parent.name in ("people", "managers") else ""
        html = self.env.get_template(template).render(**self.common, up=up, **values)
        path.write_text(html, encoding="utf-8")

    def write_index(self, staging: Path, title: str, scoped: bool) -> None:
        """The overview: the risk histogram, the organisation's levers, teams and people."""
        frame = pd.DataFrame(self.people)
        histogram_bins = []
        if self.show:
            edges = np.arange(0, 1.0001, 0.05)
            counts, _ = np.histogram(frame["risk"], bins=edges)
            histogram_bins = [
                {"label": f"{round(lo * 100)}", "upper": f"{round(lo * 100) + 5}", "count": int(c)}
                for lo, c in zip(edges[:-1], counts, strict=True)
            ]
        bands = frame["band"].value_counts().reindex(["high", "medium", "low"], fill_value=0).to_dict()
        lever_means = self.org_pressure
        self._write(
            staging / "index.html",
            "index.html",
            page_title=title,
            # The riskiest few here; everybody, with search, filters and export, on people.html.
            people=self.people[:TOP_PEOPLE]
            if self.show
            else sorted(self.people, key=lambda p: str(p["name"])),
            all_people_count=len(self.people),
            heatmap=self._heatmap(lever_means, self.managers[:TOP_TEAMS]) if self.show else None,
            people_count=self.words.number(len(self.people), 0) if self.show else None,
            band_counts={b: self.words.number(n, 0) for b, n in bands.items()} if self.show else None,
            suppressed=not self.show,
            histogram_bins=histogram_bins,
            org_levers=_lever_rows(lever_means, self.words),
            managers=self.managers[:TOP_TEAMS],
            all_teams_count=len(self.managers),
            scoped=scoped,
            has_plan=self.planned is not None,
        )

    def write_teams(self, staging: Path, title: str) -> None:
        """Every team: the sortable table and the heatmap (the overview shows the first TOP_TEAMS)."""
        self._write(
            staging / "teams.html",
            "teams.html",
            page_title=title,
            managers=self.managers,
            heatmap=self._heatmap(self.org_pressure, self.managers) if self.show else None,
        )

    def _heatmap(self, org: dict[str, float], managers: list[dict]) -> dict:
        """Team x lever: the average points each lever adds in each shown team, with the organisation's
        row to compare against (teams under the privacy threshold are not rows)."""
        families = list(org)
        rows = []
        for m in managers:
            if not m["show"]:
                continue
            pressure = self.team_pressure[m["id"]]
            rows.append({"name": m["name"], "href": m["href"], "cells": [pressure[f] for f in families]})
        top = max([v for r in rows for v in r["cells"]] + list(org.values()) + [1e-9])

        def cell(value: float) -> dict:
            return {"text": self.words.points(value), "shade": round(min(value / top, 1.0), 2)}

        return {
            "columns": [self.words.lever(f) for f in families],
            "org": [cell(org[f]) for f in families],
            "rows": [{**r, "cells": [cell(v) for v in r["cells"]]} for r in rows],
        }

    def write_people(self, staging: Path, title: str) -> None:
        """Everybody in one table with search, filters and CSV export (a small script; without it the
        full table still reads). Below the privacy threshold: names only."""
        frame = pd.DataFrame(self.people)
        options = {
            key: sorted({str(v) for v in frame[key] if isinstance(v, str) and v}) if key in frame else []
            for key in ("region", "role", "manager", "top_lever")
        }
        self._write(
            staging / "people.html",
            "people.html",
            page_title=title,
            people=self.people if self.show else sorted(self.people, key=lambda p: str(p["name"])),
            suppressed=not self.show,
            options=options,
        )

    def write_plan(self, staging: Path, budget: float | None, scoped: bool) -> None:
        """The plan page: totals, per-team totals (k ≥ 5), and who gets what."""
        t = self.common["t"]
        self._write(
            staging / "plan.html",
            "plan.html",
            page_title=t["plan_title"],
            root="",
            totals=plan_totals(self.planned, budget, self.words) if self.show else None,
            teams=team_totals(self.planned, self.managers, self.words) if not scoped else [],
            rows=self.planned,
            figures=self.show,
        )

    def write_manager(self, staging: Path, m: dict) -> None:
        """A team's page: its figures and levers when k ≥ 5 allows, else only who is in it."""
        members = self.members.get(m["id"], [])
        team_levers = self.team_pressure.get(m["id"], {})
        self._write(
            staging / "managers" / f"{self.slugs[m['id']]}.html",
            "manager.html",
            page_title=team_title(self.common["t"], m["name"]),
            show=m["show"],
            size=m["size"],
            mean_risk=m["mean_risk"],
            high=m["high"],
            org_mean_risk=self.org_mean_risk if self.show and m["show"] else None,
            levers=_lever_rows(team_levers, self.words) if m["show"] else [],
            # Below the threshold the page lists who is in the team, in name order, and no
            # figures: a size and per-person risks would make the hidden team mean plain.
            people=members if m["show"] else sorted(members, key=lambda p: str(p["name"])),
            trend=self._team_trend(members) if m["show"] else None,
            plan=None if self.planned is None else [r for r in self.planned if r["manager_id"] == m["id"]],
        )

    def write_person(self, staging: Path, person: dict, horizon: int | None) -> None:
        """A person's page: risk, levers, drivers in words, what-ifs, their planned action."""
        view = self.views[person["id"]]
        words = self.words
        actions = [
            {
                "name": a.get("action", ""),
                "text": a["text"],
                "now": words.percent(a["risk_now"]),
                "after": words.percent(a["risk_after"]),
                "change": words.points(a["change"]),
            }
            for a in view["actions"]
        ]
        self._write(
            staging / "people" / f"{self.slugs[person['id']]}.html",
            "person.html",
            page_title=person["name"],
            risk_text=person["risk_text"],
            certainty=certainty_sentence(
                person["risk"], self.calibration_bins, horizon, self.calibration_source, words
            ),
            band=person["band"],
            percentile=words.number(view["percentile"], 0),
            top_lever=person["top_lever"],  # the tables' column: one definition (explain.person.top_lever)
            role=view.get("context", {}).get("role") or "",
            region=person["region"],
            manager=person["manager"],
            low_confidence=view["low_confidence"],
            levers=_lever_rows(view["levers"], words),
            effects=_effect_rows(view, words),
            base_text=words.percent(view["base_rate"]),
            drivers=[d["text"] for d in view["drivers"]],
            strengths=[d["text"] for d in view.get("strengths", [])],
            context_drivers=view.get("context_drivers", []),
            leads_team=person["id"] in self.members and bool(person["manager_id"]),
            notes=view.get("notes", []),
            actions=actions,
            planned=self.planned_by_id.get(person["id"]),
            trend=self._trend(self.history.get(person["id"])),
            survival=survival_view(person.get("horizons") or {}, words),
        )

    def _trend(self, rows: pd.DataFrame | None) -> dict | None:
        return trend_view(rows, self.families, self.words) if rows is not None else None

    def _team_trend(self, members: list[dict]) -> dict | None:
        if not self.history:
            return None
        frames = [self.history[p["id"]] for p in members if p["id"] in self.history]
        if not frames:
            return None
        return self._trend(team_history(pd.concat(frames), [p["id"] for p in members]))
