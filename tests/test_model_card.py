"""The model card and its companions: every number read from the model's record, in both languages,
written into the model folder and hashed with it, and linked from every page of the report."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from flightrisk.report.model_card import card_markdown, number

# Words of the card that hold digits but are no figure: the interval's level, metric names, the kind.
STATIC = ("95 %", "precision@10%", "lift@10%", "12-month", "12-månaders", "SHA-256")
NUMBER = re.compile(r"\d{1,3}(?: \d{3})+(?!\d)|\d+(?:\.\d+)?")


def _leaves(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k  # a key is the record's too (a group's name: "30-39")
            yield from _leaves(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def allowed_numbers(record: dict) -> set[str]:
    """Every way the card may write a figure of the record, and every number inside its texts."""
    allowed = set()
    for leaf in _leaves(record):
        if isinstance(leaf, bool) or leaf is None:
            continue
        if isinstance(leaf, int | float):
            allowed |= {number(leaf), number(float(leaf)), number(float(leaf), 2)}
            if float(leaf).is_integer():
                allowed.add(number(int(leaf)))
        allowed |= set(NUMBER.findall(str(leaf)))
    return allowed | {figure.lstrip("-") for figure in allowed}  # the scan reads a figure without its sign


@pytest.fixture(scope="module")
def record(model_world):
    """The model world's model as training records it, with the fairness audit and intervals."""
    from flightrisk.explain.team_shift import measure_team_shifts
    from flightrisk.model.fairness import snapshot_audit
    from flightrisk.model.metrics import metric_intervals

    model, report = model_world["model"], model_world["report"]
    metrics = dict(report.metrics)
    metrics["intervals"] = metric_intervals(report.holdout, 0, resamples=50)
    features = model_world["features"]
    holdout_rows = features[model.holdout_mask(features)]
    metrics["fairness"] = snapshot_audit(
        report.holdout, holdout_rows, model_world["tables"]["employees"], model.catalog, 0
    )
    metadata = {**model.metadata, "metrics": metrics, "kind": model.kind}
    # The team action's shift as `train --raw` measures it: its line's figures are the record's too.
    metadata["team_shifts"] = measure_team_shifts(model, features, model_world["tables"])
    metadata["gate"] = {
        "passed": True,
        "reason": "roc_auc 0.7000 > logistic_regression 0.6500",
        "champion_roc_auc": None,
    }
    metadata["files_sha256"] = {"model.txt": "ab" * 32}
    return metadata


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_every_number_in_the_card_is_the_records(record, model_world, lang):
    card = card_markdown(record, model_world["model"].catalog, lang)
    text = card
    for words in STATIC:
        text = text.replace(words, "")
    catalog = model_world["model"].catalog
    levers = [s.lever for s in catalog.features]
    allowed = allowed_numbers(record) | allowed_numbers(
        {s.name: [s.label_en, s.label_sv] for s in catalog.features}
        | {f"features of {lever}": levers.count(lever) for lever in set(levers)}
    )
    found = NUMBER.findall(text)
    assert len(found) > 80  # the card is full of figures …
    stray = sorted(set(found) - allowed)
    spans = {m.group(): m.start() for m in NUMBER.finditer(text)}
    where = {s: text[max(0, spans[s] - 60) : spans[s] + 10] for s in stray}
    assert stray == [], where  # … and each is the record's
    for section in (
        ("Holdout metrics", "Fairness by group", "Known limitations")
        if lang == "en"
        else (
            "Mått på testperioden",
            "Rättvisa per grupp",
            "Kända begränsningar",
        )
    ):
        assert f"## {section}" in card


def test_a_figure_changed_in_the_record_changes_the_card(record, model_world):
    changed = json.loads(json.dumps(record))
    changed["metrics"]["roc_auc"] = 0.123456
    changed["metrics"]["intervals"]["roc_auc"] = {"low": 0.101, "high": 0.145}
    card = card_markdown(changed, model_world["model"].catalog, "en")
    assert "| ROC-AUC | 0.123 | 0.101 – 0.145 |" in card
    assert "0.123" not in card_markdown(record, model_world["model"].catalog, "en")


def test_the_card_escapes_what_it_quotes(record, model_world):
    from flightrisk.report.model_card import markdown_to_page

    changed = json.loads(json.dumps(record))
    changed["gate"]["fairness_override"] = "<script>alert(1)</script>"
    page = markdown_to_page(card_markdown(changed, model_world["model"].catalog, "en"), "t", "en")
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_publishing_writes_the_documents_hashed_with_the_model_and_every_page_links_them(
    model_world, tmp_path, cli
):
    from flightrisk.commands.publish import publish_trained
    from flightrisk.model.artifact import load_model

    model, report = model_world["model"], model_world["report"]

    class Console:
        def print(self, text):
            pass

    out = tmp_path / "m"
    publish_trained(model, SimpleNamespace(metrics=dict(report.metrics)), out, False, "flightrisk", Console())
    files = json.loads((out / "metadata.json").read_text())["files_sha256"]
    for name in (
        "model_card.md",
        "model_card.html",
        "model_card.sv.md",
        "model_card.sv.html",
        "instructions.html",
        "instructions.sv.html",
        "dpia_template.md",
        "dpia_template.sv.md",
    ):
        assert name in files, name
    loaded = load_model(out)  # every file listed and hashed: it loads
    assert "model.txt" in (out / "model_card.md").read_text() and loaded.kind == model.kind
    latest = model_world["features"]
    latest = latest[latest["snapshot_date"] == latest["snapshot_date"].max()]
    latest.to_parquet(tmp_path / "latest.parquet", index=False)
    code, _, err = cli(
        "score",
        "--model",
        out,
        "--input",
        tmp_path / "latest.parquet",
        "--out",
        tmp_path / "s.parquet",
        "--explain",
    )
    assert code == 0, err
    code, _, err = cli(
        "report",
        "--model",
        out,
        "--scores",
        tmp_path / "s.parquet",
        "--raw",
        model_world["raw"],
        "--out",
        tmp_path / "site",
        "--lang",
        "sv",
    )
    assert code == 0, err
    site = tmp_path / "site"
    assert "Modellkort" in (site / "model_card.html").read_text() and (site / "instructions.html").is_file()
    pages = [
        site / "index.html",
        *list((site / "people").glob("*.html"))[:5],
        *list((site / "managers").glob("*.html"))[:3],
    ]
    for page in pages:
        html = page.read_text()
        up = "../" if page.parent != site else ""
        assert f'href="{up}model_card.html"' in html and f'href="{up}instructions.html"' in html, page


def test_the_records_metrics_log_to_mlflow_under_names_it_accepts(record, tmp_path, monkeypatch):
    """Group names such as "50+" are no MLflow metric names: the run must log anyway (a registered
    `make run` failed on it once)."""
    import mlflow

    from flightrisk.tracking import _flat_metrics

    assert any(".50_." in name for name in _flat_metrics(record["metrics"]))
    monkeypatch.chdir(tmp_path)
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path}/mlflow.db")
    try:
        with mlflow.start_run():
            mlflow.log_metrics(_flat_metrics(record["metrics"]))
    finally:
        mlflow.set_tracking_uri(None)


def test_no_calibration_bin_in_the_card_rests_on_fewer_than_five_people(record, model_world):
    changed = json.loads(json.dumps(record))
    months = len(
        model_world["features"]
        .loc[model_world["features"]["snapshot_date"].between(*changed["holdout_window"]), "snapshot_date"]
        .unique()
    )
    changed["calibration_bins"] = [
        {"range": "0.1-0.2", "n": 5 * months, "predicted": 0.15, "observed": 0.16},
        {"range": "0.9-1.0", "n": 5 * months - 1, "predicted": 0.93, "observed": 1.0},
    ]
    card = card_markdown(changed, model_world["model"].catalog, "en")
    assert "| 0.1-0.2 |" in card and "0.9-1.0" not in card


def test_the_instructions_say_only_what_is_true_of_a_flat_model(model_world):
    """A flat table's label may count leaving over no fixed period, and it may declare no protected
    column: the documents must not speak of 12 months or of gender and age then."""
    from flightrisk.report.instructions import instruction_documents

    record = {"kind": "flat", "horizon_months": None, "metrics": {}, "created_utc": "t", "data_sha256": "h"}
    documents = instruction_documents(record, model_world["model"].catalog)
    assert "as the table's label counts leaving" in documents["instructions.md"]
    assert (
        "12 months" not in documents["instructions.md"]
        and "within the next" not in documents["dpia_template.md"]
    )
    assert "voluntarily\n  as the table's label counts leaving" in documents["dpia_template.md"]
    assert "none declared for this model" in documents["dpia_template.md"]
    assert "inga angivna" in documents["dpia_template.sv.md"]
    snapshots = instruction_documents(
        {**record, "kind": "snapshots", "horizon_months": 12}, model_world["model"].catalog
    )
    assert "within the next 12 months" in snapshots["instructions.md"]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_card_says_how_a_team_action_is_read_with_the_records_figures(record, model_world, lang):
    """A team action's shift and its survey's reliability (explain/team_shift.py), or that the
    reliability was not measured; every figure the record's."""
    catalog = model_world["model"].catalog
    measured = {
        "noise": 0.8233,
        "wave_to_wave": 0.5001,
        "staleness": 0.7797,
        "reliability": 0.642,
        "waves": 7,
    }
    shift = {
        "hazard_share": 0.065235,
        "people": 584,
        "survey_mean": "team_culture_score",
        "reliability": 0.642,
        "reliability_measured": measured,
    }
    action = next(a for a in catalog.actions if a.name == "celebrate_shared_wins")
    label = action.text_sv if lang == "sv" else action.text_en
    survey = catalog.feature("team_culture_score").label(lang).lower()
    card = card_markdown({**record, "team_shifts": {"celebrate_shared_wins": shift}}, catalog, lang)
    line = next(line for line in card.splitlines() if line.startswith(f"- {label}:"))
    assert survey in line
    assert all(figure in line for figure in ("0.065", "584", "0.64", "0.82", "0.78")), line
    unmeasured = {**shift, "reliability": 1.0, "reliability_measured": None}
    card = card_markdown({**record, "team_shifts": {"celebrate_shared_wins": unmeasured}}, catalog, lang)
    line = next(line for line in card.splitlines() if line.startswith(f"- {label}:"))
    assert "--raw" in line and "0.065" in line and "0.64" not in line
    # A model trained before team shifts says nothing of them.
    older = {key: value for key, value in record.items() if key != "team_shifts"}
    assert not any(
        line.startswith(f"- {label}:") for line in card_markdown(older, catalog, lang).splitlines()
    )
