"""The evaluation's figures, on hand-made labels and verdicts."""

import json
from pathlib import Path

from analysis.evaluate import EXACT_FULL_NAME_KEY, FULL_NAME_KEY, evaluate

TRUTH = {
    "id.primer_apellido": "DE LA TORRE",
    "id.segundo_apellido": None,
    "id.nombre": "JOSÉ",
}


def _label() -> dict:
    return {"scenario": "genuine_ine", "expected_decision": "verified", "truth": TRUTH}


def _verdict(primer: str, nombre: str, segundo: str | None = None) -> dict:
    name = {"primer_apellido": primer, "segundo_apellido": segundo, "nombre": nombre}
    return {"decision": "verified", "reasons": [], "extracted": {"id": name}}


def test_full_name_needs_every_part_and_exact_needs_the_accents(tmp_path: Path) -> None:
    verdicts = {
        "a": _verdict("DE LA TORRE", "JOSÉ"),  # right, letter for letter
        "b": _verdict("de la  torre", "JOSE"),  # right but for case, spacing and the accent
        "c": _verdict("DE LA TORRE", "JOSÉ", segundo="TORRES"),  # a surname too many
        "d": _verdict("DE LA", "JOSÉ"),  # half a compound surname
    }
    for name, verdict in verdicts.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(verdict), encoding="utf-8")
    result = evaluate({name: _label() for name in verdicts}, tmp_path)
    assert result.fields[FULL_NAME_KEY] == [2, 4]
    assert result.fields[EXACT_FULL_NAME_KEY] == [1, 4]
    assert result.fields["id.primer_apellido"] == [3, 4]
