"""The static HTML report: an overview, one page per manager and one per person.

Names and managers are joined in from the raw extract at render time (scores carry ids only).
Everything is rendered by Jinja2 with autoescaping on; charts are SVG drawn by template macros
from plain numbers, so no value ever reaches the page unescaped.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

import flightrisk
from flightrisk import LEVER_FAMILIES
from flightrisk.errors import InputError
from flightrisk.explain.narrative import number, points
from flightrisk.explain.person import top_lever
from flightrisk.i18n import lever_name
from flightrisk.io import remove_stale_temporaries, temporary_prefix
from flightrisk.model.risk_model import RiskModel
from flightrisk.privacy import MIN_GROUP, shown_groups
from flightrisk.report.plan_view import plan_rows, plan_totals, team_totals
from flightrisk.report.strings import strings


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("flightrisk.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


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
    if not out_dir.exists():
        return
    entries = {p.name for p in out_dir.iterdir()} if out_dir.is_dir() else None
    legacy = {"index.html", "people", "managers"}  # a site written before the marker existed
    if entries is None or (entries and SITE_MARKER not in entries and entries != legacy):
        raise InputError(
            f"{out_dir}: exists and is not a report written by flightrisk (no {SITE_MARKER} in it); the report "
            "replaces its folder as a whole, so choose a new or empty folder for --out"
        )


def _percent(value: float, lang: str) -> str:
    return f"{number(value * 100, lang)} %"


def people_directory(tables: dict[str, pd.DataFrame] | None, snapshot: pd.Timestamp) -> pd.DataFrame:
    """employee_id -> name, manager_id, manager name, region, role at the snapshot."""
    if tables is None:
        return pd.DataFrame(columns=["employee_id", "name", "manager_id", "manager_name", "region", "role"])
    jobs = tables["job_history"]
    jobs = jobs[jobs["effective_date"] <= snapshot].sort_values("effective_date", kind="stable")
    current = jobs.groupby("employee_id").tail(1)[["employee_id", "manager_id", "region", "role"]]
    names = tables["employees"][["employee_id", "name"]]
    directory = current.merge(names, on="employee_id", how="left")
    directory = directory.merge(
        names.rename(columns={"employee_id": "manager_id", "name": "manager_name"}),
        on="manager_id",
        how="left",
    )
    return directory


def _person_views(model, scores, features, lang, top_k=3):
    """The explanation behind each person page: from features when we have them, else from scores."""
    if features is not None:
        from flightrisk.explain.person import explain_people

        return {p["employee_id"]: p for p in explain_people(model, features, lang=lang, top_k=top_k)}
    views = {}
    for _, row in scores.iterrows():
        drivers = [
            {"text": row[c]}
            for c in row.index
            if c.startswith("driver_") and c.endswith("_text") and isinstance(row[c], str)
        ]
        views[str(row["employee_id"])] = {
            "risk": float(row["risk"]),
            "risk_band": row["risk_band"],
            "percentile": float(row["percentile"]),
            "base_rate": float(row.get("base_rate", np.nan)),
            "low_confidence": bool(row["low_confidence"]),
            "levers": {f: float(row.get(f"lever_{f}", 0.0)) for f in LEVER_FAMILIES},
            "drivers": drivers,
            "actions": [],
            "context": {},
        }
    return views


def _manager_summary(manager_id: str, group: pd.DataFrame, lang: str, show: bool, slugs: dict) -> dict:
    """A manager's team in numbers; with `show` False (privacy) no number about it is kept at all."""
    return {
        "id": manager_id,
        "name": group["manager"].iloc[0],
        "href": f"managers/{slugs[manager_id]}.html",
        "show": show,
        "size": len(group) if show else None,
        "mean_risk": _percent(group["risk"].mean(), lang) if show else None,
        "high": int((group["band"] == "high").sum()) if show else None,
    }


def _lever_pressure(levers: list[dict[str, float]]) -> dict[str, float]:
    """Per lever family, the average risk it adds (counting only where it raises risk).

    A plain mean is close to zero by construction (the base rate is the average), which would
    hide that a lever pushes many people up and a few down.
    """
    return {
        f: float(np.mean([max(item[f], 0.0) for item in levers])) if levers else 0.0 for f in LEVER_FAMILIES
    }


def _lever_rows(levers: dict[str, float], lang: str) -> list[dict]:
    return [
        {"label": lever_name(f, lang), "value": float(v), "text": points(float(v), lang)}
        for f, v in levers.items()
    ]


def build_site(
    model: RiskModel,
    scores: pd.DataFrame,
    out_dir: Path,
    tables: dict[str, pd.DataFrame] | None = None,
    features: pd.DataFrame | None = None,
    lang: str = "en",
    manager: str | None = None,
    plan: pd.DataFrame | None = None,
    plan_budget: float | None = None,
) -> dict:
    """Render the site into `out_dir` (replaced as a whole once complete). Returns page counts.

    With `plan` (from `flightrisk plan`), also a plan page and the plan's rows on team and person pages.
    """
    t = strings(lang)
    scores = scores.copy()
    scores["employee_id"] = scores["employee_id"].astype(str)
    scores["snapshot_date"] = pd.to_datetime(scores["snapshot_date"])
    snapshot = scores["snapshot_date"].max()
    scores = scores[scores["snapshot_date"] == snapshot].sort_values("risk", ascending=False, kind="stable")
    directory = people_directory(tables, snapshot).set_index("employee_id")
    if manager is not None:
        if tables is None:
            raise InputError("--manager needs --raw: the team is read from the raw extract's job history")
        team_ids = set(directory.index[directory["manager_id"] == manager])
        if not team_ids:
            raise InputError(f"manager {manager!r} has nobody reporting to them at {snapshot.date()}")
        scores = scores[scores["employee_id"].isin(team_ids)]
        if scores.empty:
            raise InputError(f"none of manager {manager!r}'s team is in the scores")
    if features is not None:
        features = features[features["employee_id"].astype(str).isin(set(scores["employee_id"]))]
    views = _person_views(model, scores, features, lang)

    def name_of(eid: str) -> str:
        value = directory["name"].get(eid) if "name" in directory else None
        return value if isinstance(value, str) else eid

    def manager_of(eid: str) -> tuple[str | None, str]:
        mid = directory["manager_id"].get(eid) if "manager_id" in directory else None
        if not isinstance(mid, str):
            return None, t["no_manager"]
        mname = directory["manager_name"].get(eid)
        return mid, mname if isinstance(mname, str) else mid

    env = _environment()
    common = {
        "t": t,
        "lang": lang,
        "as_of": str(snapshot.date()),
        "model_version": str(model.metadata.get("created_utc", "")),
        "code_version": flightrisk.__version__,
    }
    slugs = page_slugs(set(scores["employee_id"]) | set(directory["manager_id"].dropna()))
    people = []
    for _, row in scores.iterrows():
        eid = row["employee_id"]
        view = views[eid]
        top = top_lever(view["levers"])
        _, mname = manager_of(eid)
        region = directory["region"].get(eid) if "region" in directory else None
        people.append(
            {
                "id": eid,
                "name": name_of(eid),
                "href": f"people/{slugs[eid]}.html",
                "risk": float(row["risk"]),
                "risk_text": _percent(float(row["risk"]), lang),
                "band": row["risk_band"],
                "manager": mname,
                "manager_id": manager_of(eid)[0],
                "region": region if isinstance(region, str) else "",
                "top_lever": lever_name(top, lang) if top is not None else "–",
            }
        )
    show = len(people) >= MIN_GROUP
    frame = pd.DataFrame(people)
    lever_means = _lever_pressure([views[p["id"]]["levers"] for p in people])
    histogram_bins = []
    if show:
        edges = np.arange(0, 1.0001, 0.05)
        counts, _ = np.histogram(frame["risk"], bins=edges)
        histogram_bins = [
            {"label": f"{int(lo * 100)}", "count": int(c)} for lo, c in zip(edges[:-1], counts, strict=True)
        ]
    managers = []
    if manager is None and tables is not None:
        teams = dict(list(frame.dropna(subset=["manager_id"]).groupby("manager_id")))
        visible = shown_groups({mid: len(g) for mid, g in teams.items()}, len(frame)) if show else set()
        managers = [_manager_summary(mid, group, lang, mid in visible, slugs) for mid, group in teams.items()]
    elif manager is not None:
        managers.append(_manager_summary(manager, frame, lang, show, slugs))

    planned = plan_rows(plan, people, model.catalog, t, lang) if plan is not None else None
    planned_by_id = {r["id"]: r for r in planned or []}

    out_dir = Path(out_dir)
    _prepare_out_dir(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(out_dir), dir=out_dir.parent))
    try:
        os.chmod(staging, 0o755)  # a web server's user must be able to read the site
        (staging / SITE_MARKER).write_text(
            "written by flightrisk report; the folder is replaced as a whole\n"
        )
        (staging / "people").mkdir()
        (staging / "managers").mkdir()
        title = t["title"] if manager is None else t["team_of"].format(manager=managers[0]["name"])
        band_counts = frame["band"].value_counts().reindex(["high", "medium", "low"], fill_value=0).to_dict()
        (staging / "index.html").write_text(
            env.get_template("index.html").render(
                **common,
                page_title=title,
                people=people if show else sorted(people, key=lambda p: str(p["name"])),
                people_count=len(people) if show else None,
                band_counts=band_counts if show else None,
                suppressed=not show,
                histogram_bins=histogram_bins,
                org_levers=_lever_rows(lever_means, lang),
                managers=managers,
                scoped=manager is not None,
                has_plan=planned is not None,
            ),
            encoding="utf-8",
        )
        if planned is not None:
            (staging / "plan.html").write_text(
                env.get_template("plan.html").render(
                    **common,
                    page_title=t["plan_title"],
                    root="",
                    totals=plan_totals(planned, plan_budget, t, lang) if show else None,
                    teams=team_totals(planned, managers, t, lang) if manager is None else [],
                    rows=planned,
                    figures=show,
                ),
                encoding="utf-8",
            )
        for m in managers:
            members = [p for p in people if p["manager_id"] == m["id"]]
            team_levers = _lever_pressure([views[p["id"]]["levers"] for p in members])
            (staging / "managers" / f"{slugs[m['id']]}.html").write_text(
                env.get_template("manager.html").render(
                    **common,
                    page_title=t["team_of"].format(manager=m["name"]),
                    show=m["show"],
                    size=m["size"],
                    mean_risk=m["mean_risk"],
                    high=m["high"],
                    levers=_lever_rows(team_levers, lang) if m["show"] else [],
                    # Below the threshold the page lists who is in the team, in name order, and no
                    # figures: a size and per-person risks would make the hidden team mean plain.
                    people=members if m["show"] else sorted(members, key=lambda p: str(p["name"])),
                    plan=None if planned is None else [r for r in planned if r["manager_id"] == m["id"]],
                ),
                encoding="utf-8",
            )
        horizon = model.metadata.get("horizon_months")  # None for a flat table: no time axis
        for p in people:
            view = views[p["id"]]
            actions = [
                {
                    "name": a.get("action", ""),
                    "text": a["text"],
                    "now": _percent(a["risk_now"], lang),
                    "after": _percent(a["risk_after"], lang),
                    "change": points(a["change"], lang),
                }
                for a in view["actions"]
            ]
            context = view.get("context", {})
            (staging / "people" / f"{slugs[p['id']]}.html").write_text(
                env.get_template("person.html").render(
                    **common,
                    page_title=p["name"],
                    risk_text=p["risk_text"],
                    band=p["band"],
                    percentile=number(view["percentile"], lang, 0),
                    role=context.get("role") or "",
                    region=p["region"],
                    manager=p["manager"],
                    low_confidence=view["low_confidence"],
                    levers=_lever_rows(view["levers"], lang),
                    base_text=_percent(view["base_rate"], lang),
                    drivers=[d["text"] for d in view["drivers"]],
                    notes=view.get("notes", []),
                    actions=actions,
                    horizon=horizon,
                    planned=planned_by_id.get(p["id"]),
                ),
                encoding="utf-8",
            )
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old")
            if old.exists():
                shutil.rmtree(old)
            out_dir.rename(old)
        staging.rename(out_dir)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {"people": len(people), "managers": len(managers), "snapshot_date": str(snapshot.date())}
