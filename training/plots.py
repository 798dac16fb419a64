"""PNG plots of a holdout evaluation: ROC, precision-recall, reliability curve, SHAP summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _roc_points(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(y, p)
    return fpr, tpr


def plot_roc(y: np.ndarray, preds: dict[str, np.ndarray], path: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 5))
    for name, p in preds.items():
        fpr, tpr = _roc_points(y, p)
        ax.plot(fpr, tpr, label=name)
    ax.plot([0, 1], [0, 1], ls=":", c="grey")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (holdout)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_pr(y: np.ndarray, preds: dict[str, np.ndarray], path: Path) -> Path:
    from sklearn.metrics import precision_recall_curve

    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 5))
    for name, p in preds.items():
        prec, rec, _ = precision_recall_curve(y, p)
        ax.plot(rec, prec, label=name)
    ax.axhline(float(np.mean(y)), ls=":", c="grey", label=f"prevalence {np.mean(y):.3f}")
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall (holdout)", ylim=(0, 1.02))
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def reliability_table(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> pd.DataFrame:
    """Mean predicted vs observed rate per equal-width bin (the numbers behind the plot and ECE)."""
    bins = np.minimum((np.asarray(p) * n_bins).astype(int), n_bins - 1)
    df = pd.DataFrame({"bin": bins, "p": p, "y": y})
    return df.groupby("bin").agg(mean_predicted=("p", "mean"), observed=("y", "mean"), n=("y", "size"))


def plot_reliability(
    y: np.ndarray,
    preds: dict[str, np.ndarray],
    path: Path,
    n_bins: int = 10,
    title: str = "Reliability (holdout)",
) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 5))
    for name, p in preds.items():
        t = reliability_table(y, p, n_bins)
        ax.plot(t["mean_predicted"], t["observed"], marker="o", ms=3, label=name)
    ax.plot([0, 1], [0, 1], ls=":", c="grey")
    ax.set(
        xlabel="mean predicted probability", ylabel="observed overturn rate", title=title
    )
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_shap_summary(
    contributions: np.ndarray, encoded: pd.DataFrame, path: Path, max_display: int = 20
) -> Path:
    """SHAP beeswarm of the predictor's TreeSHAP values (no second explainer needed)."""
    import shap

    plt = _plt()
    state = np.random.get_state()
    np.random.seed(0)  # shap shuffles the beeswarm's points with numpy's global generator
    try:
        shap.summary_plot(
            np.asarray(contributions),
            encoded.to_numpy(),
            feature_names=list(encoded.columns),
            max_display=max_display,
            show=False,
            plot_size=(7, 6),
        )
    finally:
        np.random.set_state(state)
    fig = plt.gcf()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
