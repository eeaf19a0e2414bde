"""A batch run as one self-contained HTML page: figures, tables and the evaluation summary.

``build_report(run_dir, labels, thresholds)`` gathers everything from the verdict JSON files
of a run (``OUT_DIR/<case>.json``) and, when given, the fixture labels; ``render_html`` turns it
into a page whose figures are PNG ``data:`` URIs and whose CSS is inline, so the file can be
mailed or archived and opens offline. The page holds no personal data: case folder names,
decisions, reasons, scores and timings only.

Definitions (also in docs/analysts.md):

- genuine vs impostor face pairs come from the labels' scenario: ``face_mismatch`` cases show
  two different people, every other scenario the same person on the ID and the selfie;
- calibration compares ``confidence`` with the fraction of cases whose expected decision is
  ``verified`` (a genuine, consistent identity), per confidence decile;
- stage timings are the p50 and p95 over the run of each ``timings_ms`` entry.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.evaluate import Evaluation, evaluate

DECISIONS = ("verified", "review", "resubmit")
FACE_THRESHOLD_KEYS = ("faces.match_max_distance", "faces.mismatch_min_distance")
IMPOSTOR_SCENARIOS = frozenset({"face_mismatch"})


class RunError(ValueError):
    """A folder that is not a batch run (missing, or without any verdict)."""


def load_run(run_dir: Path) -> dict[str, dict[str, Any]]:
    """The verdicts of a run by case name (``<case>.json`` files directly under ``run_dir``).

    Files that are not verdict JSON objects are skipped; a missing folder raises
    :class:`RunError`.
    """
    if not run_dir.is_dir():
        raise RunError(f"{run_dir} is not a folder")
    verdicts: dict[str, dict[str, Any]] = {}
    for path in sorted(run_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("decision") in DECISIONS:
            verdicts[path.stem] = data
    return verdicts


def load_labels(path: Path) -> dict[str, dict[str, Any]]:
    """The per-case labels of a fixture set (``labels.json``: ``{"cases": {name: label}}``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunError(f"{path}: cannot read labels ({type(exc).__name__})") from None
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, dict):
        raise RunError(f"{path} is not a labels.json (no 'cases' table)")
    return {str(k): v for k, v in cases.items() if isinstance(v, dict)}


def face_thresholds(policy: Mapping[str, Any]) -> dict[str, float]:
    """The face thresholds of a parsed policy (``[faces]`` table), those that are numbers.

    >>> face_thresholds({"faces": {"match_max_distance": 0.5, "mismatch_min_distance": 0.6}})
    {'faces.match_max_distance': 0.5, 'faces.mismatch_min_distance': 0.6}
    >>> face_thresholds({"faces": {}})
    {}
    """
    table = policy.get("faces") or {}
    found = {}
    for key in FACE_THRESHOLD_KEYS:
        value = table.get(key.split(".", 1)[1])
        if isinstance(value, int | float) and not isinstance(value, bool):
            found[key] = float(value)
    return found


def thresholds_from_verdicts(verdicts: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """The face thresholds a run applied, as recorded in its ``face_match`` check evidence."""
    for verdict in verdicts.values():
        for check in verdict.get("checks") or []:
            evidence = check.get("evidence") or {}
            if check.get("name") == "face_match" and "match_max_distance" in evidence:
                return face_thresholds({"faces": evidence})
    return {}


def face_distance(verdict: Mapping[str, Any]) -> float | None:
    """``extracted.face.distance`` of a verdict (dotted or nested JSON), when it was measured."""
    extracted = verdict.get("extracted") or {}
    value = extracted.get("face.distance")
    if value is None and isinstance(extracted.get("face"), dict):
        value = extracted["face"].get("distance")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation; 0 for no values.

    >>> percentile([1, 2, 3, 4], 50), percentile([10.0], 95), percentile([], 50)
    (2.5, 10.0, 0.0)
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Report:
    """Everything the page shows, as plain data (tests and ``--json`` read it too)."""

    run: str
    cases: int
    decisions: dict[str, int]
    pipeline_versions: dict[str, int]
    policy_versions: dict[str, int]
    thresholds: dict[str, float]
    reasons: dict[str, dict[str, int]]
    timings: list[tuple[str, float, float]]
    confidence: dict[str, list[float]]
    distances: dict[str, list[float]]
    evaluation: Evaluation | None = None
    confusion: list[list[int]] = field(default_factory=list)
    calibration: list[tuple[float, float, float | None, int]] = field(default_factory=list)
    calibration_scores: dict[str, float] = field(default_factory=dict)
    unlabelled_cases: list[str] = field(default_factory=list)


def build_report(
    run_dir: Path,
    labels: Mapping[str, Mapping[str, Any]] | None = None,
    thresholds: Mapping[str, float] | None = None,
) -> Report:
    """Gather the report's data from a run folder (and labels, when the run is on fixtures)."""
    verdicts = load_run(run_dir)
    if not verdicts:
        raise RunError(f"{run_dir} holds no verdict files")
    report = Report(
        run=run_dir.name or str(run_dir),
        cases=len(verdicts),
        decisions=_count(v["decision"] for v in verdicts.values()),
        pipeline_versions=_count(str(v.get("pipeline_version")) for v in verdicts.values()),
        policy_versions=_count(str(v.get("policy_version")) for v in verdicts.values()),
        thresholds=dict(thresholds or thresholds_from_verdicts(verdicts)),
        reasons=_reason_counts(verdicts),
        timings=_timings(verdicts),
        confidence=_confidence_by_decision(verdicts),
        distances=_distances(verdicts, labels),
    )
    if labels:
        _add_labelled(report, run_dir, verdicts, labels)
    return report


def _count(items: Any) -> dict[str, int]:
    return dict(Counter(items).most_common())


def _reason_counts(verdicts: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for verdict in verdicts.values():
        for reason in set(verdict.get("reasons") or []):
            counts.setdefault(str(reason), Counter())[verdict["decision"]] += 1
    return {reason: dict(by_decision) for reason, by_decision in counts.items()}


def _timings(verdicts: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, float, float]]:
    per_stage: dict[str, list[float]] = {}
    for verdict in verdicts.values():
        timings = verdict.get("timings_ms") or {}
        for stage, ms in timings.items():
            if isinstance(ms, int | float):
                per_stage.setdefault(stage, []).append(float(ms))
        stages = [ms for k, ms in timings.items() if isinstance(ms, int | float) and k != "total"]
        if stages and "total" not in timings:
            per_stage.setdefault("total", []).append(float(sum(stages)))
    return [
        (stage, round(percentile(values, 50), 1), round(percentile(values, 95), 1))
        for stage, values in per_stage.items()
    ]


def _confidence_by_decision(verdicts: Mapping[str, Mapping[str, Any]]) -> dict[str, list[float]]:
    groups: dict[str, list[float]] = {d: [] for d in DECISIONS}
    for verdict in verdicts.values():
        groups[verdict["decision"]].append(float(verdict.get("confidence") or 0.0))
    return groups


def _distances(
    verdicts: Mapping[str, Mapping[str, Any]], labels: Mapping[str, Mapping[str, Any]] | None
) -> dict[str, list[float]]:
    groups: dict[str, list[float]] = {"genuine": [], "impostor": [], "unlabelled": []}
    for name, verdict in verdicts.items():
        distance = face_distance(verdict)
        if distance is None:
            continue
        label = (labels or {}).get(name)
        if label is None:
            groups["unlabelled"].append(distance)
        elif label.get("scenario") in IMPOSTOR_SCENARIOS:
            groups["impostor"].append(distance)
        else:
            groups["genuine"].append(distance)
    return groups


def _add_labelled(
    report: Report,
    run_dir: Path,
    verdicts: Mapping[str, Mapping[str, Any]],
    labels: Mapping[str, Mapping[str, Any]],
) -> None:
    labelled = {name: label for name, label in labels.items() if name in verdicts}
    report.unlabelled_cases = sorted(set(verdicts) - set(labels))
    report.evaluation = evaluate({n: dict(lab) for n, lab in labelled.items()}, run_dir)
    report.evaluation.missing_verdicts = sorted(set(labels) - set(verdicts))
    index = {d: i for i, d in enumerate(DECISIONS)}
    report.confusion = [[0] * len(DECISIONS) for _ in DECISIONS]
    pairs = []
    for name, label in labelled.items():
        expected, decided = label.get("expected_decision"), verdicts[name]["decision"]
        if expected in index:
            report.confusion[index[expected]][index[decided]] += 1
        confidence = float(verdicts[name].get("confidence") or 0.0)
        pairs.append((confidence, expected == "verified"))
    report.calibration = calibration_bins(pairs)
    report.calibration_scores = calibration_scores(pairs)


def calibration_bins(
    pairs: list[tuple[float, bool]], n_bins: int = 10
) -> list[tuple[float, float, float | None, int]]:
    """Per confidence bin: ``(low, high, fraction of positives or None, count)``.

    >>> calibration_bins([(0.05, False), (0.95, True), (0.92, False)], n_bins=2)
    [(0.0, 0.5, 0.0, 1), (0.5, 1.0, 0.5, 2)]
    """
    bins = []
    for i in range(n_bins):
        low, high = i / n_bins, (i + 1) / n_bins
        inside = [ok for c, ok in pairs if low <= c < high or (i == n_bins - 1 and c == 1.0)]
        fraction = sum(inside) / len(inside) if inside else None
        bins.append((round(low, 4), round(high, 4), fraction, len(inside)))
    return bins


def calibration_scores(pairs: list[tuple[float, bool]], n_bins: int = 10) -> dict[str, float]:
    """Brier score and expected calibration error (ECE) of confidences against outcomes.

    >>> calibration_scores([(1.0, True), (0.0, False)])
    {'brier': 0.0, 'ece': 0.0}
    """
    if not pairs:
        return {}
    brier = sum((c - ok) ** 2 for c, ok in pairs) / len(pairs)
    ece = 0.0
    for low, high, _, count in calibration_bins(pairs, n_bins):
        inside = [(c, ok) for c, ok in pairs if low <= c < high or (high == 1.0 and c == 1.0)]
        if inside:
            gap = sum(c for c, _ in inside) / count - sum(ok for _, ok in inside) / count
            ece += abs(gap) * count / len(pairs)
    return {"brier": round(brier, 4), "ece": round(ece, 4)}


# --------------------------------------------------------------------------- figures


def figures(report: Report) -> list[tuple[str, str, bytes]]:
    """The report's figures as ``(section id, caption, PNG bytes)``, only those with data."""
    from analysis import plots

    found: list[tuple[str, str, bytes]] = []
    ev = report.evaluation
    if ev is not None and report.confusion:
        found.append(
            (
                "confusion",
                "Rows: the decision the labels expect; columns: the decision made. "
                "Red numbers are false verifies.",
                plots.confusion_matrix(report.confusion, DECISIONS, DECISIONS),
            )
        )
        rows = [(n, r.cases, r.routed_ok, r.reasons_ok) for n, r in sorted(ev.scenarios.items())]
        found.append(
            (
                "scenarios",
                "Share of each scenario's cases routed as expected and carrying "
                "the expected reasons.",
                plots.scenario_accuracy(rows),
            )
        )
    if report.reasons:
        found.append(
            (
                "reasons",
                "Verdicts carrying each reason code, coloured by the decision they got.",
                plots.reason_counts(report.reasons),
            )
        )
    found += _face_figures(report)
    found.append(
        (
            "confidence",
            "How confident the pipeline was, by decision.",
            plots.confidence_histogram(report.confidence),
        )
    )
    if report.calibration and any(n for *_, n in report.calibration):
        found.append(
            (
                "calibration",
                "Per confidence decile: the fraction of cases that are genuine "
                "(expected verified). On the diagonal = well calibrated.",
                plots.reliability(report.calibration),
            )
        )
    if report.timings:
        found.append(
            (
                "timings",
                "Median and 95th percentile time of each stage per case "
                "(cached stages take near zero).",
                plots.stage_timings(report.timings),
            )
        )
    return found


def _face_figures(report: Report) -> list[tuple[str, str, bytes]]:
    from analysis import plots

    gen, imp = report.distances["genuine"], report.distances["impostor"]
    unlabelled = report.distances["unlabelled"]
    found = []
    if gen or imp or unlabelled:
        found.append(
            (
                "distances",
                "Distance between the ID portrait and the selfie; dashed lines are the "
                "policy's face thresholds.",
                plots.distance_histograms(gen, imp, report.thresholds, unlabelled),
            )
        )
    if gen and imp:
        found.append(
            (
                "roc",
                "A pair is accepted when its distance is at or below the threshold; dots show "
                "where the policy's thresholds operate.",
                plots.roc_det(gen, imp, report.thresholds),
            )
        )
    return found


# --------------------------------------------------------------------------- HTML

_CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --bg:#f5f7fa; --accent:#0072B2;
        --bad:#c0392b; --good:#1e8449; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
       color:var(--ink); background:var(--bg); }
header { background:#102a43; color:#fff; padding:22px 32px 18px; }
header h1 { margin:0 0 4px; font-size:22px; font-weight:600; }
header p { margin:0; color:#bcccdc; font-size:13px; }
header code { background:#243b53; color:#fff; font-size:18px; padding:1px 6px; }
main { max-width:1180px; margin:0 auto; padding:20px 24px 40px; }
.tiles { display:grid; grid-template-columns:repeat(auto-fit, minmax(165px, 1fr)); gap:12px;
         margin-bottom:18px; }
.tile { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.tile .v { font-size:24px; font-weight:600; }
.tile .k { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.tile .s { color:var(--muted); font-size:12px; }
.tile.bad .v { color:var(--bad); } .tile.good .v { color:var(--good); }
.grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(520px, 1fr)); gap:16px; }
section.card { background:#fff; border:1px solid var(--line); border-radius:8px;
               padding:14px 16px; margin-bottom:16px; }
section.card h2 { font-size:15px; margin:0 0 6px; }
section.card p.cap { color:var(--muted); font-size:12px; margin:0 0 8px; }
section.card img { display:block; max-width:100%; height:auto; margin:0 auto; }
section.wide { grid-column:1 / -1; }
table { border-collapse:collapse; width:100%; font-size:12.5px; }
th, td { text-align:left; padding:4px 8px; border-bottom:1px solid var(--line); }
th { color:var(--muted); font-weight:600; }
td.n, th.n { text-align:right; font-variant-numeric:tabular-nums; }
code { font-size:12px; background:var(--bg); padding:1px 4px; border-radius:3px;
       white-space:nowrap; }
.note { color:var(--muted); font-style:italic; }
"""


def render_html(report: Report) -> str:
    """The whole page: inline CSS, figures as ``data:image/png;base64`` URIs, no external link."""
    body = [
        _header(report),
        "<main>",
        _tiles(report),
        '<div class="grid">',
        *[_figure_card(sid, cap, png) for sid, cap, png in figures(report)],
        _timing_table(report),
        _misrouted_table(report),
        "</div>",
        _missing_note(report),
        "</main>",
    ]
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>llave-verify report: {_e(report.run)}</title>"
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _header(report: Report) -> str:
    versions = ", ".join(f"{_e(v)} ({n})" for v, n in report.pipeline_versions.items())
    policies = ", ".join(f"{_e(v)} ({n})" for v, n in report.policy_versions.items())
    marks = ", ".join(f"{k.split('.')[-1]} {v:g}" for k, v in report.thresholds.items())
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"<header><h1>llave-verify run <code>{_e(report.run)}</code></h1>"
        f"<p>{report.cases} verdicts · pipeline {versions} · policy {policies}"
        f"{' · face thresholds ' + _e(marks) if marks else ''} · generated {now}</p></header>"
    )


def _tile(key: str, value: str, sub: str = "", tone: str = "") -> str:
    return (
        f"<div class='tile {tone}'><div class='k'>{_e(key)}</div><div class='v'>{_e(value)}</div>"
        f"<div class='s'>{_e(sub)}</div></div>"
    )


def _pct(num: int, den: int) -> str:
    return f"{num / den:.1%}" if den else "n/a"


def _tiles(report: Report) -> str:
    tiles = [
        _tile(d, str(report.decisions.get(d, 0)), _pct(report.decisions.get(d, 0), report.cases))
        for d in DECISIONS
    ]
    ev = report.evaluation
    if ev is not None:
        tiles = [
            _tile(
                "false verifies",
                str(ev.false_verifies),
                f"of {ev.non_genuine} non-genuine ({_pct(ev.false_verifies, ev.non_genuine)})",
                "bad" if ev.false_verifies else "good",
            ),
            _tile(
                "automation",
                _pct(ev.genuine_verified, ev.genuine),
                f"{ev.genuine_verified} of {ev.genuine} genuine verified",
            ),
            _tile("routing accuracy", _pct(ev.routing_ok, ev.cases), f"{ev.routing_ok}/{ev.cases}"),
            _tile(
                "fault routing",
                _pct(ev.fault_routing_ok, ev.fault_cases),
                f"{ev.fault_routing_ok}/{ev.fault_cases} fault cases",
            ),
            _tile(
                "reason recall",
                _pct(ev.fault_reasons_ok, ev.fault_cases),
                "expected reason present",
            ),
            *tiles,
        ]
        scores = report.calibration_scores
        if scores:
            tiles.append(
                _tile("calibration", f"ECE {scores['ece']:.3f}", f"Brier {scores['brier']:.3f}")
            )
    return f"<div class='tiles'>{''.join(tiles)}</div>"


_TITLES = {
    "confusion": "Confusion matrix",
    "scenarios": "Per-scenario accuracy",
    "reasons": "Counts per reason",
    "distances": "Face distances",
    "roc": "ROC and DET of the face matcher",
    "confidence": "Confidence",
    "calibration": "Calibration (reliability)",
    "timings": "Stage timings",
}
_WIDE = {"roc"}


def _figure_card(section: str, caption: str, png: bytes) -> str:
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    wide = " wide" if section in _WIDE else ""
    title = _TITLES.get(section, section)
    return (
        f"<section class='card{wide}' id='{_e(section)}'><h2>{_e(title)}</h2>"
        f"<p class='cap'>{_e(caption)}</p><img alt='{_e(title)}' src='{uri}'></section>"
    )


def _timing_table(report: Report) -> str:
    if not report.timings:
        return ""
    rows = "".join(
        f"<tr><td>{_e(stage)}</td><td class='n'>{p50:,.1f}</td><td class='n'>{p95:,.1f}</td></tr>"
        for stage, p50, p95 in report.timings
    )
    return (
        "<section class='card' id='timing-table'><h2>Stage timings (ms)</h2>"
        "<table><tr><th>stage</th><th class='n'>p50</th><th class='n'>p95</th></tr>"
        f"{rows}</table></section>"
    )


def _misrouted_table(report: Report) -> str:
    ev = report.evaluation
    if ev is None:
        return (
            "<section class='card' id='labels-note'><h2>Accuracy</h2><p class='note'>No labels "
            "given: pass <code>--labels labels.json</code> for the confusion matrix, per-scenario "
            "accuracy, genuine vs impostor distances, ROC/DET and calibration.</p></section>"
        )
    if not ev.misrouted:
        return (
            "<section class='card' id='misrouted'><h2>Misrouted cases</h2>"
            "<p>None: every case got its expected decision and reasons.</p></section>"
        )
    rows = "".join(
        f"<tr><td><code>{_e(m['case'])}</code></td><td>{_e(m['scenario'])}</td>"
        f"<td>{_e(m['expected'])} {_e(', '.join(m['expected_reasons']))}</td>"
        f"<td>{_e(m['decision'])} {_e(', '.join(m['reasons']))}</td></tr>"
        for m in ev.misrouted[:200]
    )
    more = len(ev.misrouted) - 200
    return (
        f"<section class='card wide' id='misrouted'><h2>Misrouted or missing reasons "
        f"({len(ev.misrouted)})</h2><table><tr><th>case</th><th>scenario</th><th>expected</th>"
        f"<th>got</th></tr>{rows}</table>"
        f"{f'<p class=note>and {more} more</p>' if more > 0 else ''}</section>"
    )


def _missing_note(report: Report) -> str:
    ev = report.evaluation
    parts = []
    if ev is not None and ev.missing_verdicts:
        parts.append(f"{len(ev.missing_verdicts)} labelled cases have no verdict in this run.")
    if report.unlabelled_cases:
        parts.append(f"{len(report.unlabelled_cases)} verdicts have no label.")
    return f"<p class='note'>{_e(' '.join(parts))}</p>" if parts else ""
