"""Charts: PNGs for MLflow (matplotlib) and inline SVG for the HTML report (no scripts, no CDN)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def calibration_png(bins: list[dict], path: Path) -> None:
    """The calibration curve as a PNG (for MLflow)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="#999", linestyle="--", linewidth=1)
    ax.plot([b["predicted"] for b in bins], [b["observed"] for b in bins], marker="o", color="#1f5fa8")
    top = max([b["predicted"] for b in bins] + [b["observed"] for b in bins] + [0.1]) * 1.1
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("predicted risk")
    ax.set_ylabel("observed share who left")
    ax.set_title("Calibration on the holdout")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def importance_png(importance: pd.DataFrame, path: Path, top: int = 20) -> None:
    """Gain importance of the top features as a PNG (for MLflow)."""
    plt = _pyplot()
    data = importance.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(6, 0.3 * len(data) + 1))
    ax.barh(data["feature"], data["gain"], color="#1f5fa8")
    ax.set_xlabel("gain")
    ax.set_title("Feature importance")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
