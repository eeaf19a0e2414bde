"""The report's figures: matplotlib (Agg) drawings returned as PNG bytes.

Every function takes plain numbers (no verdict parsing here) and returns the PNG of one figure,
so :mod:`analysis.report` can embed it as a ``data:`` URI. Colours are colour-blind safe
(Okabe-Ito) and the same meaning keeps the same colour across figures.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from statistics import NormalDist

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

GENUINE = "#0072B2"  # blue: same person / genuine
IMPOSTOR = "#D55E00"  # vermillion: different person / impostor
MATCH_LINE = "#009E73"  # green: the auto-verify threshold
MISMATCH_LINE = "#CC79A7"  # purple: the mismatch threshold
DECISION_COLOURS = {"verified": "#009E73", "review": "#E69F00", "resubmit": "#56B4E9"}
NEUTRAL = "#4D4D4D"

plt.rcParams.update(
    {
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.25,
        "legend.frameon": False,
        "figure.dpi": 110,
    }
)


def to_png(fig: Figure) -> bytes:
    """Render ``fig`` to PNG bytes and free it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def confusion_matrix(
    matrix: Sequence[Sequence[int]], expected: Sequence[str], decided: Sequence[str]
) -> bytes:
    """A heat map of counts: rows are the expected decisions, columns the decided ones."""
    data = np.asarray(matrix, dtype=float)
    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    ax.grid(False)
    ax.imshow(data, cmap="Blues", vmin=0, vmax=max(1.0, float(data.max())))
    ax.set_xticks(range(len(decided)), decided)
    ax.set_yticks(range(len(expected)), expected)
    ax.set_xlabel("decided")
    ax.set_ylabel("expected")
    peak = max(1.0, float(data.max()))
    for (row, col), count in np.ndenumerate(data):
        wrong_verify = decided[col] == "verified" and expected[row] != "verified" and count
        colour = IMPOSTOR if wrong_verify else ("white" if count > peak * 0.55 else "black")
        weight = "bold" if row == col or wrong_verify else "normal"
        ax.text(col, row, f"{int(count)}", ha="center", va="center", color=colour, weight=weight)
    return to_png(fig)


def scenario_accuracy(rows: Sequence[tuple[str, int, int, int]]) -> bytes:
    """Horizontal bars per scenario: routing accuracy and expected-reason recall.

    ``rows`` holds ``(scenario, cases, routed_ok, reasons_ok)``.
    """
    names = [r[0] for r in rows]
    routed = [r[2] / r[1] * 100 if r[1] else 0 for r in rows]
    reasons = [r[3] / r[1] * 100 if r[1] else 0 for r in rows]
    y = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(6.4, 0.32 * len(rows) + 1.1))
    ax.barh(y - 0.19, routed, height=0.38, color=GENUINE, label="routed as expected")
    ax.barh(y + 0.19, reasons, height=0.38, color="#E69F00", label="expected reasons present")
    ax.set_yticks(y, [f"{n} ({r[1]})" for n, r in zip(names, rows, strict=True)])
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.set_xlabel("% of the scenario's cases")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8)
    for i, value in enumerate(routed):
        if value < 100:
            ax.text(value + 1, i - 0.19, f"{value:.0f}%", va="center", fontsize=7)
    return to_png(fig)


def reason_counts(counts: Mapping[str, Mapping[str, int]]) -> bytes:
    """Stacked horizontal bars: how many verdicts carry each reason, split by decision."""
    reasons = sorted(counts, key=lambda r: -sum(counts[r].values()))
    y = np.arange(len(reasons))
    fig, ax = plt.subplots(figsize=(6.4, 0.3 * max(len(reasons), 1) + 1.0))
    left = np.zeros(len(reasons))
    for decision, colour in DECISION_COLOURS.items():
        values = np.array([counts[r].get(decision, 0) for r in reasons], dtype=float)
        if values.any():
            ax.barh(y, values, left=left, color=colour, label=decision, height=0.65)
            left += values
    for i, total in enumerate(left):
        ax.text(total + max(left.max(), 1) * 0.01, i, f"{int(total)}", va="center", fontsize=8)
    ax.set_yticks(y, reasons)
    ax.invert_yaxis()
    ax.set_xlabel("verdicts carrying the reason")
    ax.legend(title="decision", fontsize=8, title_fontsize=8, loc="lower right")
    return to_png(fig)


def distance_histograms(
    genuine: Sequence[float],
    impostor: Sequence[float],
    thresholds: Mapping[str, float],
    unlabelled: Sequence[float] = (),
) -> bytes:
    """Overlaid histograms of face distances: same person vs different person."""
    values = [*genuine, *impostor, *unlabelled, *thresholds.values()]
    top = max(1.0, max(values, default=1.0) * 1.05)
    bins = np.linspace(0, top, 41).tolist()
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    if unlabelled:
        ax.hist(unlabelled, bins=bins, color=NEUTRAL, alpha=0.6, label=f"all ({len(unlabelled)})")
    if genuine:
        ax.hist(
            genuine, bins=bins, color=GENUINE, alpha=0.65, label=f"same person ({len(genuine)})"
        )
    if impostor:
        ax.hist(
            impostor, bins=bins, color=IMPOSTOR, alpha=0.65, label=f"different ({len(impostor)})"
        )
    _threshold_lines(ax, thresholds)
    ax.set_xlabel("face distance (ID portrait vs selfie; lower = more alike)")
    ax.set_ylabel("cases")
    ax.legend(fontsize=8)
    return to_png(fig)


def _threshold_lines(ax: plt.Axes, thresholds: Mapping[str, float]) -> None:
    styles = {
        "faces.match_max_distance": (MATCH_LINE, "match ≤"),
        "faces.mismatch_min_distance": (MISMATCH_LINE, "mismatch ≥"),
    }
    for key, value in thresholds.items():
        colour, label = styles.get(key, (NEUTRAL, key))
        ax.axvline(value, color=colour, linestyle="--", linewidth=1.4, label=f"{label} {value:g}")


def roc_det(
    genuine: Sequence[float], impostor: Sequence[float], thresholds: Mapping[str, float]
) -> bytes:
    """ROC (true vs false match rate) and DET (miss vs false match, probit axes) side by side.

    A pair "matches" at threshold t when its distance is <= t. The policy's thresholds are
    marked where they fall on each curve.
    """
    curve = error_curve(genuine, impostor)
    fig, (roc, det) = plt.subplots(1, 2, figsize=(8.4, 3.5))
    roc.plot(curve["fmr"], curve["tmr"], color=GENUINE, linewidth=1.8)
    roc.plot([0, 1], [0, 1], color="#BBBBBB", linewidth=0.8, linestyle=":")
    roc.set_xlim(-0.01, 1.01)
    roc.set_ylim(-0.01, 1.01)
    roc.set_xlabel("false match rate (impostors accepted)")
    roc.set_ylabel("true match rate (genuine accepted)")
    roc.set_title(f"ROC (AUC {auc(curve['fmr'], curve['tmr']):.3f})")
    det.plot(_probit(curve["fmr"]), _probit(1 - curve["tmr"]), color=GENUINE, linewidth=1.8)
    _probit_axes(det)
    det.set_xlabel("false match rate")
    det.set_ylabel("false non-match rate")
    det.set_title("DET")
    for key, value in thresholds.items():
        _mark_threshold(roc, det, key, value, genuine, impostor)
    roc.legend(fontsize=7, loc="lower right")
    return to_png(fig)


def _mark_threshold(
    roc: plt.Axes,
    det: plt.Axes,
    key: str,
    value: float,
    genuine: Sequence[float],
    impostor: Sequence[float],
) -> None:
    tmr = float(np.mean(np.asarray(genuine) <= value)) if len(genuine) else 0.0
    fmr = float(np.mean(np.asarray(impostor) <= value)) if len(impostor) else 0.0
    colour = MATCH_LINE if key.endswith("match_max_distance") else MISMATCH_LINE
    label = f"{key.split('.')[-1]} {value:g}: TMR {tmr:.0%}, FMR {fmr:.0%}"
    roc.scatter([fmr], [tmr], s=50, color=colour, zorder=5, edgecolor="white", label=label)
    det.scatter(
        _probit(np.array([fmr])), _probit(np.array([1 - tmr])), s=50, color=colour, zorder=5
    )


_EPS = 1e-3
_TICKS = [0.001, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99]


def _probit(rates: np.ndarray) -> np.ndarray:
    clipped = np.clip(np.asarray(rates, dtype=float), _EPS, 1 - _EPS)
    inverse = NormalDist().inv_cdf
    return np.array([inverse(float(p)) for p in clipped])


def _probit_axes(ax: plt.Axes) -> None:
    ticks = _probit(np.array(_TICKS))
    labels = [f"{t:.0%}" if t >= 0.01 else f"{t:.1%}" for t in _TICKS]
    ax.set_xticks(ticks, labels, fontsize=7)
    ax.set_yticks(ticks, labels, fontsize=7)
    limit = float(_probit(np.array([1 - _EPS]))[0]) + 0.1
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)


def error_curve(genuine: Sequence[float], impostor: Sequence[float]) -> dict[str, np.ndarray]:
    """True and false match rates at every distance threshold, from accept-none to accept-all.

    >>> c = error_curve([0.2, 0.4], [0.5, 0.9])
    >>> c["tmr"].tolist(), c["fmr"].tolist()
    ([0.0, 0.5, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.5, 1.0])
    """
    gen, imp = np.sort(np.asarray(genuine, float)), np.sort(np.asarray(impostor, float))
    cuts = np.unique(np.concatenate([gen, imp]))
    tmr = np.searchsorted(gen, cuts, side="right") / max(len(gen), 1)
    fmr = np.searchsorted(imp, cuts, side="right") / max(len(imp), 1)
    return {
        "threshold": np.concatenate([[-np.inf], cuts]),
        "tmr": np.concatenate([[0.0], tmr]),
        "fmr": np.concatenate([[0.0], fmr]),
    }


def auc(fmr: np.ndarray, tmr: np.ndarray) -> float:
    """Area under the ROC curve by the trapezoid rule.

    >>> auc(np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0]))
    1.0
    """
    return float(np.trapezoid(tmr, fmr))


def reliability(bins: Sequence[tuple[float, float, float | None, int]]) -> bytes:
    """Reliability diagram: mean confidence vs observed fraction genuine, per confidence bin.

    ``bins`` holds ``(low, high, observed_fraction_or_None, count)``; a histogram of how many
    cases fell in each bin sits underneath.
    """
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(5.2, 4.6), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    centres = [(low + high) / 2 for low, high, _, _ in bins]
    width = bins[0][1] - bins[0][0] if bins else 0.1
    filled = [(c, o) for c, (_, _, o, n) in zip(centres, bins, strict=True) if o is not None]
    top.plot([0, 1], [0, 1], color="#BBBBBB", linestyle=":", label="perfectly calibrated")
    if filled:
        xs, ys = zip(*filled, strict=True)
        top.bar(xs, ys, width=width * 0.9, color=GENUINE, alpha=0.35)
        top.plot(xs, ys, marker="o", color=GENUINE, label="observed")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1.02)
    top.set_ylabel("fraction genuine")
    top.legend(fontsize=8, loc="upper left")
    bottom.bar(centres, [n for *_, n in bins], width=width * 0.9, color=NEUTRAL)
    bottom.set_xlabel("confidence")
    bottom.set_ylabel("cases")
    return to_png(fig)


def confidence_histogram(by_decision: Mapping[str, Sequence[float]]) -> bytes:
    """Stacked histogram of the verdicts' confidence, coloured by decision."""
    fig, ax = plt.subplots(figsize=(5.2, 3.0))
    groups = [(d, by_decision.get(d, [])) for d in DECISION_COLOURS]
    groups = [(d, v) for d, v in groups if v]
    if groups:
        ax.hist(
            [v for _, v in groups],
            bins=np.linspace(0, 1, 21).tolist(),
            stacked=True,
            color=[DECISION_COLOURS[d] for d, _ in groups],
            label=[f"{d} ({len(v)})" for d, v in groups],
        )
    ax.set_xlim(0, 1)
    ax.set_xlabel("confidence")
    ax.set_ylabel("cases")
    ax.legend(fontsize=8)
    return to_png(fig)


def stage_timings(rows: Sequence[tuple[str, float, float]]) -> bytes:
    """Grouped horizontal bars of each stage's p50 and p95 time in milliseconds."""
    y = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(6.4, 0.42 * len(rows) + 1.1))
    p50 = [r[1] for r in rows]
    p95 = [r[2] for r in rows]
    ax.barh(y - 0.2, p50, height=0.4, color=GENUINE, label="p50")
    ax.barh(y + 0.2, p95, height=0.4, color=IMPOSTOR, label="p95")
    peak = max([*p95, 1.0])
    for i, (a, b) in enumerate(zip(p50, p95, strict=True)):
        ax.text(a + peak * 0.01, i - 0.2, _ms(a), va="center", fontsize=7)
        ax.text(b + peak * 0.01, i + 0.2, _ms(b), va="center", fontsize=7)
    ax.set_yticks(y, [r[0] for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, peak * 1.15)
    ax.set_xlabel("milliseconds per case")
    ax.legend(fontsize=8, loc="upper right")
    return to_png(fig)


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"
