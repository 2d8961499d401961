"""Which snapshot model to train: the 12-month classifier, the monthly hazard model, or both on the
same out-of-time holdout rows and the better one kept (`train --model auto`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from flightrisk.config import TrainSettings
from flightrisk.errors import InputError
from flightrisk.features.snapshots import NEXT_MONTH_LABEL
from flightrisk.model.hazard_train import train_hazard
from flightrisk.model.train import months_needed, settings_of, train_on_snapshots

MODEL_CHOICES = ("auto", "classifier", "hazard")
COMPARED_METRICS = ("roc_auc", "pr_auc", "brier", "ece", "n", "positives")


def train_snapshot_kinds(
    features, catalog, settings: TrainSettings, data_hash: str, kind: str, say: Callable[[str], None]
):
    """The 12-month classifier, the monthly hazard model, or both (`auto`): then the one with the
    higher ROC-AUC on the same out-of-time holdout rows is the candidate, the other its baseline
    (`metrics["model_comparison"]`). `say` hears what was decided and why."""
    if kind not in MODEL_CHOICES:
        raise InputError(f"--model {kind!r}: use one of {list(MODEL_CHOICES)}")
    if kind == "hazard":
        return train_hazard(features, catalog, settings, data_hash)
    if kind == "auto" and NEXT_MONTH_LABEL in features.columns:
        months = features.loc[features["label"].notna(), "snapshot_date"].nunique()
        if months < months_needed(settings, embargo=True):
            # The classifier learns only outcomes known a horizon before its holdout; a short extract
            # (24 months) has none. The hazard model learns from last month.
            say(
                f"{months} labelled snapshot months: too few for the {settings.horizon_months}-month "
                f"classifier's out-of-time holdout (it needs {months_needed(settings)}); training the "
                "hazard model alone, which learns from every month up to the last."
            )
            model, report = train_hazard(features, catalog, settings, data_hash)
            report.metrics["model_comparison"] = {
                "hazard": {k: report.metrics[k] for k in COMPARED_METRICS},
                "classifier": None,
                "chosen": "hazard",
                "why": f"{months} labelled months; the classifier needs {months_needed(settings)}",
            }
            model.metadata["metrics"] = report.metrics
            return model, report
    classifier, classifier_report = train_on_snapshots(features, catalog, settings, data_hash)
    if kind == "classifier":
        return classifier, classifier_report
    if NEXT_MONTH_LABEL not in features.columns:
        say(
            f"The feature table has no '{NEXT_MONTH_LABEL}' column (built by an older version): only the "
            "classifier is trained; rebuild the features to compare it with the hazard model."
        )
        return classifier, classifier_report
    # The hazard model takes the shape the classifier chose on its validation months.
    shaped = dataclasses.replace(settings_of(classifier.metadata), shape_grid=())
    hazard, hazard_report = train_hazard(features, catalog, shaped, data_hash)
    hazard.metadata["classifier_rounds"] = classifier.metadata["best_rounds"]
    comparison = {
        "classifier": {k: classifier_report.metrics[k] for k in COMPARED_METRICS}
        | {"survival": classifier_report.metrics.get("survival")},
        "hazard": {k: hazard_report.metrics[k] for k in COMPARED_METRICS}
        | {"survival": hazard_report.metrics.get("survival")}
        | {"horizons": hazard_report.metrics.get("horizons", {})},
    }
    winner = (
        "hazard" if hazard_report.metrics["roc_auc"] > classifier_report.metrics["roc_auc"] else "classifier"
    )
    comparison["chosen"] = winner
    say(
        f"Holdout ROC-AUC at {settings.horizon_months} months: classifier "
        f"{comparison['classifier']['roc_auc']:.3f}, hazard {comparison['hazard']['roc_auc']:.3f} → {winner}"
    )
    model, report = (hazard, hazard_report) if winner == "hazard" else (classifier, classifier_report)
    report.metrics["model_comparison"] = comparison
    model.metadata["metrics"] = report.metrics
    return model, report
