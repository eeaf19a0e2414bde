"""Two batch runs side by side: which decisions changed, and did false verifies rise.

The gate analysts and CI run before a policy or pipeline change ships: decide the same cases
under the old and the new version, then ``compare`` them. With fixture labels, a false verify is
a case whose expected decision is not ``verified`` but was verified; the gate fails when run B
has more of them than run A on the cases both runs decided. Without labels no one can tell a
false verify from a true one, so the comparison reports the cases that *became* verified and
leaves the gate open unless asked to be strict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from analysis.report import load_run


@dataclass(frozen=True)
class Change:
    """One case whose decision differs between the runs."""

    case: str
    before: str
    after: str
    reasons_before: list[str]
    reasons_after: list[str]
    scenario: str | None = None
    expected: str | None = None


@dataclass
class Comparison:
    """Everything ``compare`` prints (and ``--json`` writes)."""

    versions_a: dict[str, dict[str, int]]
    versions_b: dict[str, dict[str, int]]
    common: int
    only_a: list[str]
    only_b: list[str]
    changes: list[Change]
    reasons_only_changed: list[str]
    transitions: dict[str, int]
    labelled: bool = False
    false_verifies_a: list[str] = field(default_factory=list)
    false_verifies_b: list[str] = field(default_factory=list)
    newly_verified: list[str] = field(default_factory=list)

    @property
    def false_verifies_rose(self) -> bool:
        """True when run B falsely verifies more of the common cases than run A (labels only)."""
        return self.labelled and len(self.false_verifies_b) > len(self.false_verifies_a)

    def to_json(self) -> dict[str, Any]:
        """A machine-readable form."""
        data = asdict(self)
        data["false_verifies_rose"] = self.false_verifies_rose
        return data


def compare_dirs(
    run_a: Path, run_b: Path, labels: Mapping[str, Mapping[str, Any]] | None = None
) -> Comparison:
    """Compare the verdict folders of two runs (see :func:`compare_runs`)."""
    return compare_runs(load_run(run_a), load_run(run_b), labels)


def compare_runs(
    a: Mapping[str, Mapping[str, Any]],
    b: Mapping[str, Mapping[str, Any]],
    labels: Mapping[str, Mapping[str, Any]] | None = None,
) -> Comparison:
    """Compare two runs' verdicts (by case name) over the cases both decided.

    >>> v = lambda d, *r: {"decision": d, "reasons": list(r), "policy_version": "p"}
    >>> c = compare_runs({"x": v("review", "FACE_MISMATCH"), "y": v("verified")},
    ...                  {"x": v("verified"), "y": v("verified")})
    >>> [(ch.case, ch.before, ch.after) for ch in c.changes], c.newly_verified
    ([('x', 'review', 'verified')], ['x'])
    """
    common = sorted(set(a) & set(b))
    changes, reasons_only = [], []
    for name in common:
        before, after = a[name], b[name]
        label = (labels or {}).get(name) or {}
        if before["decision"] != after["decision"]:
            changes.append(_change(name, before, after, label))
        elif sorted(_reasons(before)) != sorted(_reasons(after)):
            reasons_only.append(name)
    result = Comparison(
        versions_a=_versions(a),
        versions_b=_versions(b),
        common=len(common),
        only_a=sorted(set(a) - set(b)),
        only_b=sorted(set(b) - set(a)),
        changes=changes,
        reasons_only_changed=reasons_only,
        transitions=dict(Counter(f"{c.before} -> {c.after}" for c in changes).most_common()),
        newly_verified=[c.case for c in changes if c.after == "verified"],
    )
    if labels:
        result.labelled = True
        result.false_verifies_a = _false_verifies(a, common, labels)
        result.false_verifies_b = _false_verifies(b, common, labels)
    return result


def _reasons(verdict: Mapping[str, Any]) -> list[str]:
    return [str(r) for r in verdict.get("reasons") or []]


def _change(
    name: str, before: Mapping[str, Any], after: Mapping[str, Any], label: Mapping[str, Any]
) -> Change:
    return Change(
        case=name,
        before=before["decision"],
        after=after["decision"],
        reasons_before=_reasons(before),
        reasons_after=_reasons(after),
        scenario=label.get("scenario"),
        expected=label.get("expected_decision"),
    )


def _versions(run: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    return {
        kind: dict(Counter(str(v.get(f"{kind}_version")) for v in run.values()).most_common())
        for kind in ("pipeline", "policy")
    }


def _false_verifies(
    run: Mapping[str, Mapping[str, Any]], names: list[str], labels: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    return [
        name
        for name in names
        if name in labels
        and labels[name].get("expected_decision") != "verified"
        and run[name]["decision"] == "verified"
    ]


def format_comparison(result: Comparison, run_a: str = "A", run_b: str = "B") -> str:
    """The human-readable comparison: versions, changed cases with reasons, the gate."""
    lines = [
        f"A {run_a}: {_version_text(result.versions_a)}",
        f"B {run_b}: {_version_text(result.versions_b)}",
        f"cases in both runs: {result.common}"
        + (f"; only in A: {len(result.only_a)}" if result.only_a else "")
        + (f"; only in B: {len(result.only_b)}" if result.only_b else ""),
        f"decision changed: {len(result.changes)}"
        + (f" ({_transitions(result)})" if result.changes else ""),
    ]
    if result.reasons_only_changed:
        lines.append(f"same decision, other reasons: {len(result.reasons_only_changed)}")
    for change in result.changes:
        lines.append(_change_line(change))
    lines += ["", *_gate_lines(result)]
    return "\n".join(lines)


def _version_text(versions: Mapping[str, Mapping[str, int]]) -> str:
    return "; ".join(
        f"{kind} " + ", ".join(f"{v} ({n})" for v, n in counts.items())
        for kind, counts in versions.items()
    )


def _transitions(result: Comparison) -> str:
    return ", ".join(f"{t}: {n}" for t, n in result.transitions.items())


def _change_line(change: Change) -> str:
    label = f" [{change.scenario}, expected {change.expected}]" if change.scenario else ""
    before = ", ".join(change.reasons_before) or "-"
    after = ", ".join(change.reasons_after) or "-"
    return f"  {change.case}{label}: {change.before} ({before}) -> {change.after} ({after})"


def _gate_lines(result: Comparison) -> list[str]:
    if not result.labelled:
        return [
            "false verifies: unknown without labels (--labels L); "
            f"{len(result.newly_verified)} case(s) became verified"
            + (": " + ", ".join(result.newly_verified) if result.newly_verified else "")
        ]
    a, b = len(result.false_verifies_a), len(result.false_verifies_b)
    verdict = "ROSE" if b > a else ("fell" if b < a else "unchanged")
    lines = [f"false verifies (labelled, common cases): A {a} -> B {b}: {verdict}"]
    new = sorted(set(result.false_verifies_b) - set(result.false_verifies_a))
    if new:
        lines.append("  new false verifies: " + ", ".join(new))
    return lines
