"""Per-stage CPU by layout family and by ID type (issue 17), from the set's ``labels.json``.

Issue 17 asks for the ID stage's CPU per case *across families*: a pass's figures are split by
each case's label ``family`` (``docs/families.md``) and ``id_type``. Labels without ``family``
count as ``(unlabelled)``; labels without ``id_type`` are typed as ``llave-verify evaluate``
types them (by their clave de elector).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analysis.evaluate import id_type_of
from bench.measure import summary

#: the stages whose CPU is split by group (the other stages are a few ms, or the face stage's)
GROUP_STAGES = ("id_document", "address_proof")
UNLABELLED = "(unlabelled)"


def family_of(label: dict[str, Any]) -> str:
    """The layout family a case's label names.

    >>> family_of({"family": "ine_2014"}), family_of({}), family_of({"family": None})
    ('ine_2014', '(unlabelled)', '(unlabelled)')
    """
    return str(label.get("family") or UNLABELLED)


def grouped(rows: list[dict[str, Any]], labels: dict[str, Any] | None) -> dict[str, Any]:
    """``by_family`` and ``by_id_type``: each group's case count, case CPU and stage CPU.

    ``rows`` are a pass's case records without engine errors; a case missing from ``labels``
    (or every case, without labels) counts as ``(unlabelled)``.
    """
    known = labels or {}

    def key_of(pick: Callable[[dict[str, Any]], str]) -> Callable[[str], str]:
        return lambda case: pick(known[case]) if case in known else UNLABELLED

    return {
        "by_family": by_group(rows, key_of(family_of)),
        "by_id_type": by_group(rows, key_of(id_type_of)),
    }


def by_group(rows: list[dict[str, Any]], key: Callable[[str], str]) -> dict[str, Any]:
    """The figures of the rows of each group (``key`` maps a case name to its group), by name."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(key(row["case"]), []).append(row)
    return {name: _figures(members) for name, members in sorted(groups.items())}


def _figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Case count, case CPU seconds and the CPU ms of :data:`GROUP_STAGES` (where they ran)."""
    return {
        "cases": len(rows),
        "case_cpu_s": summary([r["cpu_s"] for r in rows]),
        "stages_cpu_ms": {
            stage: summary([r["stages_cpu_ms"][stage] for r in rows if stage in r["stages_cpu_ms"]])
            for stage in GROUP_STAGES
        },
    }


def all_families() -> list[str]:
    """Every layout family the generator can draw, in its fixed order."""
    from synth.families import families

    return list(families())


def missing_families(labels: dict[str, Any] | None) -> list[str]:
    """The generator's families that no case of the set is drawn in (all, without labels).

    >>> "ine_2014" in missing_families({"case-0001": {"family": "ine_2019"}})
    True
    >>> "ine_2019" in missing_families({"case-0001": {"family": "ine_2019"}})
    False
    """
    present = {family_of(label) for label in (labels or {}).values()}
    return [name for name in all_families() if name not in present]


def worst(groups: dict[str, Any], stage: str, stat: str) -> tuple[str, float] | None:
    """The group with the highest ``stat`` (``p50``, ``p95``) of ``stage``, and that value.

    >>> worst({"a": {"stages_cpu_ms": {"x": {"n": 2, "p50": 3.0}}},
    ...        "b": {"stages_cpu_ms": {"x": {"n": 1, "p50": 5.0}}},
    ...        "c": {"stages_cpu_ms": {"x": {"n": 0}}}}, "x", "p50")
    ('b', 5.0)
    """
    values = [
        (name, float(g["stages_cpu_ms"][stage][stat]))
        for name, g in groups.items()
        if g["stages_cpu_ms"].get(stage, {}).get("n")
    ]
    return max(values, key=lambda item: item[1]) if values else None
