"""Score verdicts against fixture labels: the figures the acceptance lines speak of.

- false verifies: cases whose expected decision is not ``verified`` but were verified;
- automation: genuine cases (expected ``verified``) decided ``verified``;
- routing accuracy: decision equals the expected decision (overall and over fault cases);
- reason recall: every expected reason present on the verdict (fault cases);
- field accuracy per ``extracted`` key, among readable documents;
- a per-scenario table;
- the same figures per ID layout family and per ID type (``docs/families.md``): a reading rule
  must hold on the families it was not written against.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ID_KEYS = [
    "id.curp",
    "id.nombre",
    "id.primer_apellido",
    "id.segundo_apellido",
    "id.fecha_nacimiento",
    "id.sexo",
    "id.vigencia_hasta",
    "id.clave_elector",
    "id.numero_documento",
    "id.mrz_valid",
]
ADDRESS_KEYS = ("address.emisor", "address.codigo_postal", "address.fecha")
#: the full name as issue 3 scores it: every part right (a part absent from both is right),
#: once as every field is scored (accents and case aside) and once letter for letter
NAME_PARTS = ("id.primer_apellido", "id.segundo_apellido", "id.nombre")
FULL_NAME_KEY = "id.nombre_completo"
EXACT_FULL_NAME_KEY = "id.nombre_completo_exacto"


@dataclass
class ScenarioRow:
    """Counts of one scenario."""

    cases: int = 0
    routed_ok: int = 0
    reasons_ok: int = 0
    verified: int = 0


@dataclass
class GroupRow:
    """The figures of one group of cases: a layout family, or an ID type."""

    cases: int = 0
    non_genuine: int = 0
    false_verifies: int = 0
    genuine: int = 0
    genuine_verified: int = 0
    fault_cases: int = 0
    fault_routing_ok: int = 0
    fields: dict[str, list[int]] = field(default_factory=dict)  # key -> [correct, total]

    def id_fields(self) -> tuple[int, int]:
        """(correct, total) over every ID field read (the full-name keys aside)."""
        tallies = [self.fields[k] for k in ID_KEYS if k in self.fields]
        return sum(c for c, _ in tallies), sum(t for _, t in tallies)

    def rates(self) -> dict[str, float | None]:
        """The group's headline rates."""
        return {
            "false_verify_rate": _ratio(self.false_verifies, self.non_genuine),
            "automation_rate": _ratio(self.genuine_verified, self.genuine),
            "fault_routing_accuracy": _ratio(self.fault_routing_ok, self.fault_cases),
            "id_field_accuracy": _ratio(*self.id_fields()),
        }

    def to_json(self) -> dict[str, Any]:
        """Counts, rates and field accuracy."""
        data = asdict(self)
        data["rates"] = self.rates()
        data["field_accuracy"] = {k: _ratio(c, t) for k, (c, t) in self.fields.items()}
        return data


@dataclass
class Evaluation:
    """Every figure of an evaluation run."""

    cases: int = 0
    missing_verdicts: list[str] = field(default_factory=list)
    false_verifies: int = 0
    non_genuine: int = 0
    genuine: int = 0
    genuine_verified: int = 0
    routing_ok: int = 0
    fault_cases: int = 0
    fault_routing_ok: int = 0
    fault_reasons_ok: int = 0
    fields: dict[str, list[int]] = field(default_factory=dict)  # key -> [correct, total]
    scenarios: dict[str, ScenarioRow] = field(default_factory=dict)
    false_verify_cases: list[str] = field(default_factory=list)
    misrouted: list[dict[str, Any]] = field(default_factory=list)
    by_family: dict[str, GroupRow] = field(default_factory=dict)
    by_id_type: dict[str, GroupRow] = field(default_factory=dict)

    def rates(self) -> dict[str, float | None]:
        """The headline rates."""
        return {
            "false_verify_rate": _ratio(self.false_verifies, self.non_genuine),
            "automation_rate": _ratio(self.genuine_verified, self.genuine),
            "routing_accuracy": _ratio(self.routing_ok, self.cases),
            "fault_routing_accuracy": _ratio(self.fault_routing_ok, self.fault_cases),
            "fault_reason_recall": _ratio(self.fault_reasons_ok, self.fault_cases),
        }

    def to_json(self) -> dict[str, Any]:
        """A machine-readable summary."""
        data = asdict(self)
        data["rates"] = self.rates()
        data["field_accuracy"] = {k: _ratio(c, t) for k, (c, t) in self.fields.items()}
        data["by_family"] = {n: row.to_json() for n, row in sorted(self.by_family.items())}
        data["by_id_type"] = {n: row.to_json() for n, row in sorted(self.by_id_type.items())}
        return data


def evaluate(labels: dict[str, dict[str, Any]], verdicts_dir: Path) -> Evaluation:
    """Compare each labelled case with ``verdicts_dir/<case>.json``."""
    result = Evaluation()
    for name, label in sorted(labels.items()):
        path = verdicts_dir / f"{name}.json"
        if not path.exists():
            result.missing_verdicts.append(name)
            continue
        _score_case(result, name, label, json.loads(path.read_text(encoding="utf-8")))
    return result


def id_type_of(label: dict) -> str:
    """The ID type of a labelled case; older labels without one: a clave de elector means INE.

    >>> id_type_of({"id_type": "passport"}), id_type_of({"truth": {"id.clave_elector": "X"}})
    ('passport', 'ine')
    >>> id_type_of({"truth": {"id.clave_elector": None}}), id_type_of({})
    ('passport', '?')
    """
    if label.get("id_type"):
        return str(label["id_type"])
    truth = label.get("truth") or {}
    if "id.clave_elector" not in truth:
        return "?"
    return "ine" if truth["id.clave_elector"] else "passport"


def _score_group(row: GroupRow, expected: str, decision: str, routed_ok: bool) -> None:
    row.cases += 1
    if expected == "verified":
        row.genuine += 1
        row.genuine_verified += decision == "verified"
    else:
        row.non_genuine += 1
        row.false_verifies += decision == "verified"
        row.fault_cases += 1
        row.fault_routing_ok += routed_ok


def _score_case(result: Evaluation, name: str, label: dict, verdict: dict) -> None:
    expected, decision = label["expected_decision"], verdict["decision"]
    reasons_ok = set(label.get("expected_reasons", [])) <= set(verdict.get("reasons", []))
    routed_ok = decision == expected
    groups = [
        result.by_family.setdefault(label.get("family") or "(unlabelled)", GroupRow()),
        result.by_id_type.setdefault(id_type_of(label), GroupRow()),
    ]
    for group in groups:
        _score_group(group, expected, decision, routed_ok)
    result.cases += 1
    result.routing_ok += routed_ok
    row = result.scenarios.setdefault(label["scenario"], ScenarioRow())
    row.cases += 1
    row.routed_ok += routed_ok
    row.reasons_ok += reasons_ok
    row.verified += decision == "verified"
    if expected == "verified":
        result.genuine += 1
        result.genuine_verified += decision == "verified"
    else:
        result.non_genuine += 1
        result.fault_cases += 1
        result.fault_routing_ok += routed_ok
        result.fault_reasons_ok += reasons_ok
        if decision == "verified":
            result.false_verifies += 1
            result.false_verify_cases.append(name)
    if not routed_ok or not reasons_ok:
        result.misrouted.append(
            {
                "case": name,
                "scenario": label["scenario"],
                "expected": expected,
                "decision": decision,
                "expected_reasons": label.get("expected_reasons", []),
                "reasons": verdict.get("reasons", []),
            }
        )
    tallies = [result.fields] + [group.fields for group in groups]
    _score_fields(tallies, label, verdict.get("extracted") or {})


def _score_fields(tallies: list[dict[str, list[int]]], label: dict, extracted: dict) -> None:
    """Add one case's field readings to each of ``tallies`` (key -> [correct, total])."""
    truth = label.get("truth") or {}
    readable = label.get("readable") or {}
    flat = _flatten(extracted)
    scores: dict[str, bool] = {}
    for keys, part in ((ID_KEYS, "id"), (ADDRESS_KEYS, "address")):
        if not readable.get(part, True):
            continue
        for key in keys:
            if truth.get(key) is not None:
                scores[key] = same_value(truth[key], flat.get(key))
        if part == "id" and truth.get(NAME_PARTS[0]) is not None:
            for key, equal in ((FULL_NAME_KEY, same_value), (EXACT_FULL_NAME_KEY, same_letters)):
                scores[key] = all(equal(truth.get(p), flat.get(p)) for p in NAME_PARTS)
    for fields in tallies:
        for key, ok in scores.items():
            tally = fields.setdefault(key, [0, 0])
            tally[0] += ok
            tally[1] += 1


def same_letters(truth: Any, read: Any) -> bool:
    """Equality letter for letter, accents included; only spacing aside.

    >>> same_letters("JOSÉ  LUIS", "JOSÉ LUIS")
    True
    >>> same_letters("JOSÉ", "JOSE")
    False
    >>> same_letters(None, "")
    True
    """
    return " ".join(str(truth or "").split()) == " ".join(str(read or "").split())


def same_value(truth: Any, read: Any) -> bool:
    """Field equality as a reader of the document would judge it: case, accents and spacing aside.

    >>> same_value("NÚÑEZ  DE LA CRUZ", "nuñez de la cruz")
    True
    >>> same_value("2031-12-31", "2031-12-30")
    False
    >>> same_value(True, True)
    True
    """
    if isinstance(truth, bool) or isinstance(read, bool):
        return truth == read
    return _norm(truth) == _norm(read)


def _norm(value: Any) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFKD", str(value).upper().replace("Ñ", "\0"))
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("\0", "Ñ")
    return " ".join(text.split())


def _flatten(extracted: dict) -> dict:
    flat: dict[str, Any] = {}
    for key, value in extracted.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def format_report(ev: Evaluation) -> str:
    """A human-readable summary with the per-scenario table."""
    rates = ev.rates()
    lines = [
        f"cases evaluated: {ev.cases}"
        + (f" ({len(ev.missing_verdicts)} without verdict)" if ev.missing_verdicts else ""),
        f"false verifies: {ev.false_verifies} of {ev.non_genuine} non-genuine ({_pct(rates['false_verify_rate'])})",
        f"automation: {ev.genuine_verified} of {ev.genuine} genuine verified ({_pct(rates['automation_rate'])})",
        f"routing accuracy: {ev.routing_ok}/{ev.cases} ({_pct(rates['routing_accuracy'])}); "
        f"fault cases {ev.fault_routing_ok}/{ev.fault_cases} ({_pct(rates['fault_routing_accuracy'])})",
        f"expected reason present (fault cases): {ev.fault_reasons_ok}/{ev.fault_cases} "
        f"({_pct(rates['fault_reason_recall'])})",
        "",
        "field accuracy (readable documents):",
    ]
    lines += [
        f"  {k:<26} {c:>4}/{t:<4} {_pct(_ratio(c, t))}" for k, (c, t) in sorted(ev.fields.items())
    ]
    lines += ["", f"  {'scenario':<24}{'cases':>6}{'routed':>8}{'reasons':>9}{'verified':>10}"]
    for name, row in sorted(ev.scenarios.items()):
        lines.append(
            f"  {name:<24}{row.cases:>6}{row.routed_ok:>8}{row.reasons_ok:>9}{row.verified:>10}"
        )
    lines += _group_report("layout family", ev.by_family)
    lines += _group_report("ID type", ev.by_id_type)
    lines += _field_table(ev.by_family)
    if ev.misrouted:
        lines += ["", "misrouted or missing reasons:"]
        lines += [
            f"  {m['case']}: {m['scenario']} expected {m['expected']} {m['expected_reasons']}, "
            f"got {m['decision']} {m['reasons']}"
            for m in ev.misrouted[:40]
        ]
    return "\n".join(lines)


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def _share(num: int, den: int) -> str:
    return f"{num}/{den} {_pct(_ratio(num, den))}" if den else "-"


def _group_report(title: str, groups: dict[str, GroupRow]) -> list[str]:
    """One row per group: false verifies, automation, fault routing, ID fields right."""
    head = f"  {title:<18}{'cases':>6}{'false verifies':>18}{'automation':>16}"
    lines = ["", head + f"{'fault routing':>18}{'ID fields':>18}"]
    for name, row in sorted(groups.items()):
        lines.append(
            f"  {name:<18}{row.cases:>6}{_share(row.false_verifies, row.non_genuine):>18}"
            f"{_share(row.genuine_verified, row.genuine):>16}"
            f"{_share(row.fault_routing_ok, row.fault_cases):>18}"
            f"{_share(*row.id_fields()):>18}"
        )
    return lines


def _field_table(groups: dict[str, GroupRow]) -> list[str]:
    """ID field accuracy, one column per layout family."""
    names = sorted(groups)
    keys = [
        k
        for k in (*ID_KEYS, FULL_NAME_KEY, EXACT_FULL_NAME_KEY)
        if any(k in groups[n].fields for n in names)
    ]
    if not keys:
        return []
    width = max(10, *(len(n) + 2 for n in names))
    lines = ["", "ID field accuracy by layout family (readable documents):"]
    lines.append(f"  {'field':<26}" + "".join(f"{n:>{width}}" for n in names))
    for key in keys:
        cells = [groups[n].fields.get(key) for n in names]
        text = [_pct(_ratio(*c)) if c else "-" for c in cells]
        lines.append(f"  {key:<26}" + "".join(f"{t:>{width}}" for t in text))
    return lines
