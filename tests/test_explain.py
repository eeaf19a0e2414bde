"""A case sent to review without a reason still tells the reviewer what to look at."""

from __future__ import annotations

from commands.verify import render_explanation
from models import Case, Check, Decision, ReasonCode
from pipeline.decide import decide
from pipeline.explain import unresolved
from pipeline.policy import parse_policy
from tests.test_models import CASE

POLICY = parse_policy('version = "t"\n[confidence]\nfail_score = 0.02\ninconclusive_score = 0.5\n')


def _unread_curp() -> Check:
    return Check(
        name="curp_match",
        status="inconclusive",
        detail="No se pudo leer la CURP del documento.",
        evidence={"documento": None, "registro": "XAXX010101HDFXXX09", "confianza": 0.0},
    )


def test_unresolved_checks_name_what_was_compared() -> None:
    checks = [
        Check(name="files", status="pass"),
        _unread_curp(),
        Check(name="mrz", status="fail", detail="x", reasons=[ReasonCode.MRZ_INCONSISTENT]),
    ]
    assert unresolved(checks) == [
        "curp_match: No se pudo leer la CURP del documento. "
        "(documento: —; registro: XAXX010101HDFXXX09)"
    ]


def test_review_without_reason_is_explained_to_the_reviewer() -> None:
    verdict = decide(Case.model_validate(CASE), [_unread_curp()], {}, POLICY, {})
    assert verdict.decision is Decision.REVIEW and not verdict.reasons
    text = render_explanation(verdict)
    assert "Por revisar" in text and "curp_match: No se pudo leer la CURP" in text


def test_the_second_looks_of_the_id_are_in_the_account() -> None:
    looks = [
        "sexo: letter beside label (missing, changed)",
        "curp: CURP settled (contradicted, kept)",
    ]
    readable = Check(name="id_readable", status="pass", evidence={"segundas_lecturas": looks})
    verdict = decide(Case.model_validate(CASE), [readable, _unread_curp()], {}, POLICY, {})
    text = render_explanation(verdict)
    assert "Segundas lecturas" in text and "  curp: CURP settled (contradicted, kept)" in text
