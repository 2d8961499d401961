"""The model card, in the sections of Mitchell et al. (2019), English and Swedish, Markdown and HTML.

Built from the trained model's own record (its metadata: the run's logged metrics, the fairness
audit, the causal layer, the gate, the files' hashes) and its catalog; nothing in it is typed by hand
but the words around the numbers, and `tests/test_model_card.py` checks that every number in it is
one of the record's. Pure: metadata in, texts out; `commands.publish.publish_trained` writes them into the
model folder (listed and hashed with the model's files) and `report` copies them into the site.
"""

from __future__ import annotations

import pandas as pd
from markdown_it import MarkdownIt

from flightrisk import LEVERS
from flightrisk.explain.causal import effects_from_metadata
from flightrisk.features.catalog import Catalog
from flightrisk.i18n import lever_name, words_for
from flightrisk.messages import PART_NAMES
from flightrisk.model.gate import passes_baseline
from flightrisk.privacy import MIN_GROUP

CARD_FILES = {
    "en": ("model_card.md", "model_card.html"),
    "sv": ("model_card.sv.md", "model_card.sv.html"),
}

WORDS = {
    "en": {
        "title": "Model card: flightrisk",
        "details": "Model details",
        "kind": {
            "snapshots": "12-month classifier on monthly snapshots (LightGBM, calibrated)",
            "hazard": "monthly hazard model on person-months (LightGBM Poisson, risk at several horizons)",
            "flat": "classifier on a flat table (LightGBM blended with a logistic part, cross-validated)",
            "flat_hazard": "monthly hazard model on a flat table in survival form (LightGBM Poisson)",
        },
        "model_kind": "Kind",
        "created": "Trained (UTC)",
        "horizon": "Risk horizon (months)",
        "horizons": "Horizons given (months)",
        "data_hash": "SHA-256 of the training data",
        "versions": "Package versions",
        "gate": "Promotion gate",
        "passed": "passed",
        "failed": "not passed",
        "override": "Fairness override (the analyst's reason)",
        "gate_stage": {},
        "intended": "Intended use",
        "intended_text": (
            "To tell managers and HR, month by month, which sales reps are more likely than others to "
            "leave voluntarily within the horizon, and which levers (pay, development, recognition, "
            "workload, leadership, culture) the model reads behind each person's risk, so that a "
            "conversation can start while there is time. A risk is a probability for a group of people "
            "like this one, not a verdict on a person."
        ),
        "out_of_scope": "Out of scope",
        "out_of_scope_items": [
            "No decision about a person rests on the score: not hiring, pay setting, promotion, "
            "performance rating, discipline or dismissal.",
            "Not for monitoring individuals, nor for ranking people against each other outside a "
            "conversation with them.",
            "Not for populations, roles or periods unlike the training data (see Data).",
        ],
        "data": "Data",
        "train_window": "Training months",
        "holdout_window": "Holdout months (out of time)",
        "rows": "Rows",
        "features": "Features by lever",
        "lever": "Lever",
        "count": "Features",
        "names": "Names",
        "protected": "Protected and excluded",
        "protected_text": (
            "Gender and age (and any column a flat table's catalog declares protected) are never model "
            "features: they are joined after scoring, only for the fairness audit. No page shows an "
            "individual's survey answers, and no figure rests on fewer than {k} people."
        ),
        "method": "Method",
        "method_text": (
            "Gradient-boosted trees with monotone constraints from the catalog, early-stopped on people "
            "held out of training; calibrated forward in time; the holdout model learns only outcomes "
            "known when the holdout began. Per-person explanations are exact TreeSHAP contributions, "
            "summed by lever. Whether a lever's contribution behaves as a cause is tested separately "
            "(double machine learning, below)."
        ),
        "calibration_rule": "Calibration",
        "metrics": "Holdout metrics",
        "metric": "Metric",
        "value": "Value",
        "interval": "95 % interval (bootstrap over people)",
        "baseline": "Logistic regression",
        "oracle": "True risk's ROC-AUC (simulated world)",
        "evaluation": "Evaluation",
        "calibration": "Calibration on the holdout",
        "bin": "Risk bin",
        "rows_in_bin": "Rows",
        "predicted": "Mean risk",
        "observed": "Share who left",
        "fairness": "Fairness by group",
        "fairness_none": "No protected attributes were given to audit (train with --raw, or declare them in the catalog).",
        "attribute": "Attribute",
        "group": "Group",
        "people": "People",
        "gap": "Risk − share who left (95 %)",
        "auc": "ROC-AUC",
        "flagged": "Flagged ({rule})",
        "flag_rule": "top {share} of risk",
        "breach_impact_ratio": "{attribute}: impact ratio {value} < {limit} (95 % {low}–{high}; four-fifths rule on who is flagged)",
        "breach_calibration": "{attribute} = {group}: risk {side}-states who leaves by {gap} > {limit}, {vs_all} against everyone's (mean risk {risk}, share who left {observed}; 95 % {low} to {high})",
        "breach_ranking": "{attribute} = {group}: ranks this group worse, ROC-AUC {auc} is {gap} below the other groups' > {limit} (95 % {low} to {high})",
        "breach_rate": "{attribute} = {group}: the flag's {rate} differs from the rest's by {value}, beyond ±{limit} (95 % {low} to {high})",
        "over": "over",
        "under": "under",
        "breaches": "Thresholds broken",
        "no_breaches": "No fairness threshold is broken.",
        "proxies": "Strong proxies (a single feature predicting the attribute)",
        "no_proxies": "none",
        "limits": "Known limitations",
        "not_established": (
            "The model reads these levers, but their effect was not established as a cause (neither "
            "causal test's 95 % interval lies above zero: the 12-month test of what the model reads, "
            "and the test on the months of the lever's term in the monthly hazard): {levers}. Pages mark "
            "them as signals, not causes."
        ),
        "all_established": "Every lever the causal test could measure was established as a cause.",
        "parts": (
            "{lever}: tested in parts as well, each with the rest of the lever held fixed (θ, 95 % "
            "interval): {parts}. A part scales the what-ifs of the actions that change it."
        ),
        "manager_held": (
            "{lever}: the {part} bound only what the actions that change them promise, not whether "
            "{lever_lower} is a cause. A manager who holds them also keeps people in other ways, so "
            "they were tested on the months with the manager's habit with their other reports held "
            "fixed: θ {held} against {without} without. Those actions promise {share} of what "
            "{lever_lower}'s effect allows: θ held, read one standard error above its estimate, over "
            "θ without."
        ),
        "team_shift": (
            "{action}: done once for a whole team, so it is read as one proportional fall of every "
            "member's monthly exit hazard: {share} (the response models' mean reading over {people} "
            "people), divided by {reliability}, the reliability of {survey} it acts through (the share "
            "of its spread that is not noise within teams, {noise}, times the share of a team's state "
            "that lasts the months a survey is old, {staleness}; measured from the survey table)."
        ),
        "team_shift_unmeasured": (
            "{action}: done once for a whole team, so it is read as one proportional fall of every "
            "member's monthly exit hazard: {share} (the response models' mean reading over {people} "
            "people). The reliability of {survey} it acts through was not measured (trained without "
            "--raw, or with fewer than three survey waves), so that reading is not corrected for it."
        ),
        "own_signals": (
            "{lever}: tested as a cause on its own signals; signals that reflect {other} as well are "
            "held fixed in the test (the model still reads them with {lever_lower}): {features}."
        ),
        "limits_items": [
            "A risk assumes things go on as they are; it is not a forecast of what the organisation will do.",
            "Contributions say what the model reads, not what causes a person to leave; what pulling a "
            "lever would do comes from the separate causal test, and on simulated worlds it is still "
            "wrong for some levers (docs/benchmarks.md, 'Unseen worlds').",
            "Nothing the HR system does not record (a competing offer, a move, a family event) can be seen.",
        ],
        "share_of_ceiling": (
            "On this simulated world the model's ROC-AUC is {ours} against the true risk's {oracle}: "
            "what the recorded data let it see of the real causes."
        ),
        "files": "Files and hashes",
        "file": "File",
        "none": "–",
    },
    "sv": {
        "title": "Modellkort: flightrisk",
        "details": "Om modellen",
        "kind": {
            "snapshots": "12-månadersklassificerare på månatliga ögonblicksbilder (LightGBM, kalibrerad)",
            "hazard": "månatlig hasardmodell på personmånader (LightGBM Poisson, risk vid flera horisonter)",
            "flat": "klassificerare på en platt tabell (LightGBM blandad med en logistisk del, korsvaliderad)",
            "flat_hazard": "månatlig hasardmodell på en platt tabell i överlevnadsform (LightGBM Poisson)",
        },
        "model_kind": "Slag",
        "created": "Tränad (UTC)",
        "horizon": "Riskhorisont (månader)",
        "horizons": "Horisonter (månader)",
        "data_hash": "SHA-256 för träningsdata",
        "versions": "Paketversioner",
        "gate": "Godkännandespärr",
        "passed": "godkänd",
        "failed": "inte godkänd",
        "override": "Undantag från rättvisespärren (analytikerns skäl)",
        # The gate's reason is logged in English (metadata.json); the Swedish card says which check decided.
        "gate_stage": {
            "passed": "slår baslinjen, klarar rättvisegränserna och är inte sämre än nuvarande modell",
            "baseline": "slår inte baslinjen (logistisk regression) på testmånaderna",
            "fairness": "rättvisegränser överskrids (se Rättvisa per grupp nedan)",
            "champion": "sämre än nuvarande modell på samma testdata",
        },
        "intended": "Avsedd användning",
        "intended_text": (
            "Att månad för månad visa chefer och HR vilka säljare som är mer benägna än andra att sluta "
            "frivilligt inom horisonten, och vilka spakar (lön, utveckling, erkännande, arbetsbelastning, "
            "ledarskap, kultur) modellen läser bakom varje persons risk, så att ett samtal kan börja "
            "medan det finns tid. En risk är en sannolikhet för en grupp människor som liknar den här, "
            "inte ett omdöme om en person."
        ),
        "out_of_scope": "Utanför avsedd användning",
        "out_of_scope_items": [
            "Inget beslut om en person får vila på risken: inte anställning, lönesättning, befordran, "
            "prestationsbedömning, disciplinåtgärd eller uppsägning.",
            "Inte för att övervaka enskilda, och inte för att rangordna människor mot varandra utanför "
            "ett samtal med dem.",
            "Inte för grupper, roller eller perioder som inte liknar träningsdata (se Data).",
        ],
        "data": "Data",
        "train_window": "Träningsmånader",
        "holdout_window": "Testmånader (senare i tid)",
        "rows": "Rader",
        "features": "Variabler per spak",
        "lever": "Spak",
        "count": "Variabler",
        "names": "Namn",
        "protected": "Skyddade och uteslutna uppgifter",
        "protected_text": (
            "Kön och ålder (och varje kolumn som en platt tabells katalog anger som skyddad) är aldrig "
            "variabler i modellen: de kopplas på efter poängsättningen, enbart för rättvisegranskningen. "
            "Ingen sida visar en enskild persons enkätsvar, och ingen siffra bygger på färre än {k} "
            "personer."
        ),
        "method": "Metod",
        "method_text": (
            "Gradientförstärkta beslutsträd med monotona villkor från katalogen, tidigt stoppade på "
            "personer som hållits utanför träningen; kalibrerade framåt i tiden; testmodellen lär sig "
            "bara utfall som var kända när testperioden började. Förklaringarna per person är exakta "
            "TreeSHAP-bidrag summerade per spak. Om en spaks bidrag beter sig som en orsak prövas "
            "separat (dubbel maskininlärning, nedan)."
        ),
        "calibration_rule": "Kalibrering",
        "metrics": "Mått på testperioden",
        "metric": "Mått",
        "value": "Värde",
        "interval": "95 % intervall (bootstrap över personer)",
        "baseline": "Logistisk regression",
        "oracle": "Den sanna riskens ROC-AUC (simulerad värld)",
        "evaluation": "Utvärdering",
        "calibration": "Kalibrering på testperioden",
        "bin": "Riskintervall",
        "rows_in_bin": "Rader",
        "predicted": "Medelrisk",
        "observed": "Andel som slutade",
        "fairness": "Rättvisa per grupp",
        "fairness_none": "Inga skyddade uppgifter fanns att granska (träna med --raw, eller ange dem i katalogen).",
        "attribute": "Uppgift",
        "group": "Grupp",
        "people": "Personer",
        "gap": "Risk − andel som slutade (95 %)",
        "auc": "ROC-AUC",
        "flagged": "Flaggade ({rule})",
        "flag_rule": "de {share} med högst risk",
        "breach_impact_ratio": "{attribute}: kvot {value} < {limit} (95 % {low}–{high}; fyra femtedelar-regeln för vilka som flaggas)",
        "breach_calibration": "{attribute} = {group}: risken {side}skattar vilka som slutar med {gap} > {limit}, {vs_all} mot allas (medelrisk {risk}, andel som slutade {observed}; 95 % {low} till {high})",
        "breach_ranking": "{attribute} = {group}: rangordnar gruppen sämre, ROC-AUC {auc} är {gap} under de andra gruppernas > {limit} (95 % {low} till {high})",
        "breach_rate": "{attribute} = {group}: flaggans {rate} skiljer sig från övrigas med {value}, mer än ±{limit} (95 % {low} till {high})",
        "over": "över",
        "under": "under",
        "breaches": "Överskridna gränser",
        "no_breaches": "Ingen rättvisegräns överskrids.",
        "proxies": "Starka ombud (en enda variabel som förutsäger uppgiften)",
        "no_proxies": "inga",
        "limits": "Kända begränsningar",
        "not_established": (
            "Modellen läser dessa spakar, men deras effekt kunde inte fastställas som en orsak (i inget "
            "av de två orsakstesterna ligger 95 %-intervallet över noll: 12-månaderstestet av det "
            "modellen läser och månadstestet av spakens term i den månatliga risken): {levers}. "
            "Sidorna visar dem som signaler, inte orsaker."
        ),
        "all_established": "Varje spak som orsakstestet kunde mäta fastställdes som en orsak.",
        "parts": (
            "{lever}: testas också i delar, var och en med resten av spaken hållen fast (θ, 95 %-"
            "intervall): {parts}. En del skalar konsekvensanalyserna för de åtgärder som ändrar den."
        ),
        "manager_held": (
            "{lever}: {part} begränsar bara vad åtgärderna som ändrar dem utlovar, inte om "
            "{lever_lower} är en orsak. En chef som håller dem behåller också folk på andra sätt, så de "
            "prövades på månaderna med chefens vana med sina andra medarbetare hållen fast: θ {held} "
            "mot {without} utan. De åtgärderna utlovar {share} av vad effekten av {lever_lower} tillåter: "
            "θ hållen fast, läst ett standardfel över sin skattning, delat med θ utan."
        ),
        "team_shift": (
            "{action}: görs en gång för hela teamet och läses därför som en och samma proportionella "
            "minskning av varje medlems månatliga avgångsrisk: {share} (svarsmodellernas genomsnittliga "
            "läsning över {people} personer), delad med {reliability}, tillförlitligheten hos {survey} "
            "som den verkar genom (den del av spridningen som inte är brus inom teamen, {noise}, gånger "
            "den del av teamets läge som består de månader en enkät hunnit bli gammal, {staleness}; "
            "mätt ur enkättabellen)."
        ),
        "team_shift_unmeasured": (
            "{action}: görs en gång för hela teamet och läses därför som en och samma proportionella "
            "minskning av varje medlems månatliga avgångsrisk: {share} (svarsmodellernas genomsnittliga "
            "läsning över {people} personer). Tillförlitligheten hos {survey} som den verkar genom "
            "mättes inte (tränad utan --raw, eller med färre än tre enkätomgångar), så läsningen är "
            "inte rättad för den."
        ),
        "own_signals": (
            "{lever}: prövas som orsak på sina egna signaler; signaler som också speglar {other} hålls "
            "fasta i prövningen (modellen läser dem ändå med {lever_lower}): {features}."
        ),
        "limits_items": [
            "En risk förutsätter att allt fortsätter som nu; den är ingen prognos över vad "
            "organisationen kommer att göra.",
            "Bidragen säger vad modellen läser, inte vad som får en person att sluta; vad det skulle "
            "göra att dra i en spak kommer från det separata orsakstestet, och i simulerade världar har "
            "det fortfarande fel för vissa spakar (docs/benchmarks.md, 'Unseen worlds').",
            "Inget som HR-systemet inte registrerar (ett konkurrerande erbjudande, en flytt, en "
            "familjehändelse) kan ses.",
        ],
        "share_of_ceiling": (
            "I denna simulerade värld är modellens ROC-AUC {ours} mot den sanna riskens {oracle}: så mycket "
            "av de verkliga orsakerna som de registrerade uppgifterna låter den se."
        ),
        "files": "Filer och kontrollsummor",
        "file": "Fil",
        "none": "–",
    },
}

METRIC_ROWS = (
    ("roc_auc", "ROC-AUC"),
    ("pr_auc", "PR-AUC"),
    ("brier", "Brier"),
    ("ece", "ECE"),
    ("precision_at_10pct", "precision@10%"),
    ("lift_at_10pct", "lift@10%"),
)


def number(value, digits: int = 3) -> str:
    """How the card writes a figure: fixed decimals for fractions, thousands apart for counts."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return f"{float(value):.{digits}f}"


def _team_shift(name: str, shift: dict, catalog: Catalog, lang: str, w: dict) -> str:
    """A team action's reading as one shift of its team's state (explain/team_shift.py), in words."""
    action = next((a for a in catalog.actions if a.name == name), None)
    label = (action.text_sv if lang == "sv" else action.text_en) if action is not None else name
    survey = shift["survey_mean"]
    survey = catalog.feature(survey).label(lang).lower() if survey in catalog.names else survey
    measured = shift.get("reliability_measured")
    said = dict(
        action=label, share=number(shift["hazard_share"]), people=number(shift["people"]), survey=survey
    )
    if measured is None:
        return w["team_shift_unmeasured"].format(**said)
    return w["team_shift"].format(
        **said,
        reliability=number(shift["reliability"], 2),
        noise=number(measured["noise"], 2),
        staleness=number(measured["staleness"], 2),
    )


def _row(*cells) -> str:
    return "| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |"


def _table(header: list[str], rows: list[list]) -> list[str]:
    return [_row(*header), _row(*["---"] * len(header)), *(_row(*r) for r in rows), ""]


def _gate_stage(gate: dict, metrics: dict) -> str:
    """Which check decided the gate: passed, or the first it failed (baseline, fairness, champion)."""
    if gate.get("passed"):
        return "passed"
    if metrics and "roc_auc" in metrics and not passes_baseline(metrics)[0]:
        return "baseline"
    if (metrics.get("fairness") or {}).get("breaches") and not gate.get("fairness_override"):
        return "fairness"
    return "champion"


def _flag_rule(fairness: dict, w: dict) -> str:
    share = fairness.get("flag_share")
    return (
        fairness.get("flag_rule", "")
        if share is None
        else w["flag_rule"].format(share=f"{share * 100:.0f} %")
    )


def _breach(b: dict, w: dict) -> str:
    """A broken threshold in the card's words (figures written as everywhere in the card)."""
    said = {"attribute": b.get("attribute"), "group": b.get("group"), "limit": b["limit"]}
    said |= {"low": f"{b['low']:+.3f}", "high": f"{b['high']:+.3f}"}
    if b["kind"] == "impact_ratio":
        ratio = {"value": f"{b['value']:.2f}", "low": f"{b['low']:.2f}", "high": f"{b['high']:.2f}"}
        return w["breach_impact_ratio"].format(**said | ratio)
    if b["kind"] == "calibration":
        return w["breach_calibration"].format(
            **said,
            side=w["over"] if b["value"] > 0 else w["under"],
            gap=f"{abs(b['value']):.3f}",
            risk=f"{b['mean_risk']:.3f}",
            observed=f"{b['observed_rate']:.3f}",
            vs_all=f"{b.get('vs_all', float('nan')):+.3f}",
        )
    if b["kind"] == "ranking":
        return w["breach_ranking"].format(**said, auc=f"{b['roc_auc']:.3f}", gap=f"{-b['value']:.3f}")
    return w["breach_rate"].format(**said, rate=b["kind"].upper(), value=f"{b['value']:+.3f}")


def card_markdown(metadata: dict, catalog: Catalog, lang: str = "en") -> str:
    """The model card in Markdown, from the model's metadata (its `metrics`, `lever_effects`, `gate`,
    `files_sha256`, …) and its catalog."""
    w = WORDS[lang]
    metrics = metadata.get("metrics") or {}
    kind = metadata.get("kind", "snapshots")
    out = [f"# {w['title']}", ""]

    out += [f"## {w['details']}", ""]
    details = [[w["model_kind"], w["kind"].get(kind, kind)]]
    details.append([w["created"], metadata.get("created_utc", w["none"])])
    if metadata.get("horizon_months"):
        details.append([w["horizon"], number(int(metadata["horizon_months"]))])
    if metadata.get("horizons"):
        details.append([w["horizons"], ", ".join(number(int(h)) for h in metadata["horizons"])])
    details.append([w["data_hash"], f"`{metadata.get('data_sha256', w['none'])}`"])
    gate = metadata.get("gate") or {}
    if gate:
        verdict = w["passed"] if gate.get("passed") else w["failed"]
        reason = w["gate_stage"].get(_gate_stage(gate, metadata.get("metrics") or {}), gate.get("reason", ""))
        details.append([w["gate"], f"{verdict}: {reason}"])
        if gate.get("fairness_override"):
            details.append([w["override"], gate["fairness_override"]])
    versions = metadata.get("package_versions") or {}
    if versions:
        details.append([w["versions"], ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))])
    out += _table(["", ""], details)

    out += [f"## {w['intended']}", "", w["intended_text"], "", f"### {w['out_of_scope']}", ""]
    out += [f"- {item}" for item in w["out_of_scope_items"]] + [""]

    out += [f"## {w['data']}", ""]
    data_rows = []
    if metadata.get("train_window"):
        data_rows.append([w["train_window"], " – ".join(metadata["train_window"])])
    if metadata.get("holdout_window"):
        data_rows.append([w["holdout_window"], " – ".join(metadata["holdout_window"])])
    for name, count in (metadata.get("rows") or {}).items():
        data_rows.append([f"{w['rows']}: {name}", number(int(count))])
    if data_rows:
        out += _table(["", ""], data_rows)
    out += [f"### {w['features']}", ""]
    by_lever = {}
    for spec in catalog.features:
        by_lever.setdefault(spec.lever, []).append(spec.label_sv if lang == "sv" else spec.label_en)
    order = [*LEVERS, "context"]
    lever_rows = [
        [lever_name(lever, lang), number(len(names)), "; ".join(names)]
        for lever, names in sorted(
            by_lever.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
        )
    ]
    out += _table([w["lever"], w["count"], w["names"]], lever_rows)
    fairness = metrics.get("fairness") or {}
    out += [
        f"### {w['protected']}",
        "",
        w["protected_text"].format(k=number(int(fairness.get("min_group_size", 5)))),
        "",
    ]

    out += [f"## {w['method']}", "", w["method_text"], ""]
    rule = metadata.get("calibration_rule")
    if isinstance(rule, dict):
        out += [f"- {w['calibration_rule']}: " + "; ".join(f"{k}: {v}" for k, v in rule.items()), ""]
    elif metadata.get("calibration_source"):
        out += [f"- {w['calibration_rule']}: {metadata['calibration_source']}", ""]

    out += [f"## {w['metrics']}", ""]
    if metrics.get("evaluation"):
        out += [f"{w['evaluation']}: {metrics['evaluation']}", ""]
    intervals = metrics.get("intervals") or {}
    baseline = (metrics.get("baselines") or {}).get(metrics.get("gate_baseline", "logistic_regression")) or {}
    metric_rows = []
    for key, label in METRIC_ROWS:
        if key not in metrics:
            continue
        ci = intervals.get(key)
        interval = f"{number(ci['low'])} – {number(ci['high'])}" if ci else w["none"]
        metric_rows.append([label, number(metrics[key]), interval, number(baseline.get(key))])
    if "n" in metrics:
        metric_rows.append(["n", number(int(metrics["n"])), w["none"], w["none"]])
    if "positives" in metrics:
        metric_rows.append(["positives", number(int(metrics["positives"])), w["none"], w["none"]])
    out += _table([w["metric"], w["value"], w["interval"], w["baseline"]], metric_rows)
    if metrics.get("oracle_roc_auc") is not None:
        out += [f"{w['oracle']}: {number(metrics['oracle_roc_auc'])}", ""]

    # A bin's share who left must rest on at least 5 people; a person has up to one row per holdout
    # month, so a bin needs 5 rows per month of the holdout (a flat table: one row per person).
    window = metadata.get("holdout_window")
    per_person = (
        (pd.Timestamp(window[1]).to_period("M") - pd.Timestamp(window[0]).to_period("M")).n + 1
        if window
        else 1
    )
    bins = [b for b in metadata.get("calibration_bins") or [] if b.get("n", 0) >= MIN_GROUP * per_person]
    if bins:
        out += [f"### {w['calibration']}", ""]
        out += _table(
            [w["bin"], w["rows_in_bin"], w["predicted"], w["observed"]],
            [
                [b.get("range", ""), number(int(b["n"])), number(b["predicted"]), number(b["observed"])]
                for b in bins
            ],
        )

    out += [f"## {w['fairness']}", ""]
    if not fairness:
        out += [w["fairness_none"], ""]
    else:
        rows = []
        for attribute, groups in fairness.get("groups", {}).items():
            for group, g in groups.items():
                ci = (g.get("intervals") or {}).get("calibration_gap") or {}
                gap = f"{number(g['calibration_gap'])} ({number(ci.get('low'))} – {number(ci.get('high'))})"
                rows.append(
                    [
                        attribute,
                        group,
                        number(int(g["people"])),
                        number(g["observed_rate"]),
                        number(g["mean_risk"]),
                        gap,
                        number(g["roc_auc"]) if g["roc_auc"] == g["roc_auc"] else w["none"],
                        number(g["flagged_share"]),
                    ]
                )
        out += _table(
            [
                w["attribute"],
                w["group"],
                w["people"],
                w["observed"],
                w["predicted"],
                w["gap"],
                w["auc"],
                w["flagged"].format(rule=_flag_rule(fairness, w)),
            ],
            rows,
        )
        # In the card's language from the structured record; a model trained before it has the English lines.
        details = fairness.get("breach_details")
        breaches = [_breach(b, w) for b in details] if details is not None else fairness.get("breaches") or []
        out += [f"### {w['breaches']}", ""]
        out += [f"- {b}" for b in breaches] if breaches else [w["no_breaches"]]
        out += [""]
        proxies = fairness.get("proxies") or {}
        if proxies:
            out += [f"### {w['proxies']}", ""]
            for attribute, found in proxies.items():
                strong = found.get("strong_proxies") or {}
                listed = (
                    ", ".join(f"{name} ({number(auc)})" for name, auc in strong.items()) or w["no_proxies"]
                )
                out += [f"- {attribute}: {listed}"]
            out += [""]

    out += [f"## {w['limits']}", ""]
    effects = effects_from_metadata(metadata) or {}
    if effects:
        weak = [lever_name(lever, lang) for lever, e in effects.items() if not e.established]
        out += [
            f"- {w['not_established'].format(levers=', '.join(weak))}"
            if weak
            else f"- {w['all_established']}"
        ]
    for lever, effect in effects.items():
        judged = [p for p in effect.parts if not p.promise_only]
        if judged:
            parts = ", ".join(
                f"{words_for(lang).pair(PART_NAMES.get(p.lever, (p.lever, p.lever)))} {number(p.theta)} "
                f"[{number(p.low)}, {number(p.high)}]"
                for p in judged
            )
            out += [f"- {w['parts'].format(lever=lever_name(lever, lang), parts=parts)}"]
        for p in effect.parts:
            held = p.monthly.manager_held if p.promise_only and p.monthly is not None else None
            if held is None:
                continue
            said = w["manager_held"].format(
                lever=lever_name(lever, lang),
                lever_lower=lever_name(lever, lang).lower(),
                part=words_for(lang).pair(PART_NAMES.get(p.lever, (p.lever, p.lever))),
                held=f"{number(held.theta)} [{number(held.low)}, {number(held.high)}]",
                without=f"{number(p.monthly.theta)} [{number(p.monthly.low)}, {number(p.monthly.high)}]",
                share=number(p.manager_share, 2),
            )
            out += [f"- {said}"]
    for lever in effects:
        shared = [f for f in catalog.features if f.lever == lever and f.also_reads]
        for other in dict.fromkeys(f.also_reads for f in shared):
            opening, closing = ("”", "”") if lang == "sv" else ("“", "”")
            labels = ", ".join(f"{opening}{f.label(lang)}{closing}" for f in shared if f.also_reads == other)
            said = w["own_signals"].format(
                lever=lever_name(lever, lang),
                lever_lower=lever_name(lever, lang).lower(),
                features=labels,
                other=lever_name(other, lang).lower(),
            )
            out += [f"- {said}"]
    for name, shift in (metadata.get("team_shifts") or {}).items():
        out += [f"- {_team_shift(name, shift, catalog, lang, w)}"]
    if metrics.get("oracle_roc_auc") and metrics.get("roc_auc"):
        ours, oracle = number(metrics["roc_auc"]), number(metrics["oracle_roc_auc"])
        out += ["- " + w["share_of_ceiling"].format(ours=ours, oracle=oracle)]
    out += [f"- {item}" for item in w["limits_items"]] + [""]

    files = metadata.get("files_sha256") or {}
    if files:
        out += [f"## {w['files']}", ""]
        out += _table(
            [w["file"], "SHA-256"], [[name, f"`{digest}`"] for name, digest in sorted(files.items())]
        )
    return "\n".join(out).rstrip() + "\n"


PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2733; max-width: 1000px; margin: 0 auto; padding: 20px 28px 40px; }}
  table {{ border-collapse: collapse; width: 100%; margin: 8px 0 16px; }}
  th, td {{ text-align: left; padding: 5px 8px; border-bottom: 1px solid #e3e7ec; font-size: 0.9rem; vertical-align: top; }}
  th {{ background: #eef1f5; }}
  code {{ font-size: 0.8rem; word-break: break-all; }}
  h1 {{ font-size: 1.5rem; }} h2 {{ font-size: 1.2rem; margin-top: 28px; }} h3 {{ font-size: 1rem; }}
</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def markdown_to_page(markdown: str, title: str, lang: str) -> str:
    """A standalone HTML page from a document's Markdown. Raw HTML in the Markdown is not passed
    through (every value is escaped), and tables are rendered."""
    from html import escape

    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    return PAGE.format(lang=lang, title=escape(title), body=renderer.render(markdown))


def card_documents(metadata: dict, catalog: Catalog) -> dict[str, str]:
    """Every card file, by name: Markdown and HTML in English and Swedish."""
    out = {}
    for lang, (md_name, html_name) in CARD_FILES.items():
        text = card_markdown(metadata, catalog, lang)
        out[md_name] = text
        out[html_name] = markdown_to_page(text, WORDS[lang]["title"], lang)
    return out
