"""The fixture generator: check digits (independent implementation), labels, determinism,
the case contract."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from models.case import Case
from synth.generate import make_spec, plan_tasks

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_CHECK = Path("/work/shared/tools/contract_check.py")
N = 17
SEED = 11
ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def icao(field: str) -> int:
    """ICAO 9303 check digit, written apart from synth.mrz."""
    total = 0
    for i, c in enumerate(field):
        v = 0 if c == "<" else int(c) if c.isdigit() else ALPHABET.replace("Ñ", "").index(c)
        total += v * [7, 3, 1][i % 3]
    return total % 10


def curp_ok(curp: str) -> bool:
    """CURP check digit, written apart from synth.curp."""
    s = sum(ALPHABET.index(c) * w for c, w in zip(curp[:17], range(18, 1, -1), strict=True))
    return len(curp) == 18 and (10 - s % 10) % 10 == int(curp[17])


def td1_problems(lines: list[str]) -> list[str]:
    l1, l2, l3 = lines
    bad = []
    if [len(x) for x in lines] != [30, 30, 30] or not l1.startswith("IDMEX"):
        bad.append("shape")
    if icao(l1[5:14]) != int(l1[14]):
        bad.append("document")
    if icao(l2[0:6]) != int(l2[6]):
        bad.append("birth")
    if icao(l2[8:14]) != int(l2[14]):
        bad.append("expiry")
    if icao(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]) != int(l2[29]):
        bad.append("composite")
    if not re.fullmatch(r"IDMEX\d{10}<<\d{13}", l1) or l2[7] not in "HM":
        bad.append("ine layout")
    if not re.fullmatch(r"MEX<\d\d<<\d{5}<", l2[15:29]):
        bad.append("optional data")
    if "<<" not in l3:
        bad.append("names")
    return bad


def td3_problems(lines: list[str]) -> list[str]:
    l1, l2 = lines
    bad = []
    if [len(x) for x in lines] != [44, 44] or not l1.startswith("P<MEX"):
        bad.append("shape")
    for name, (a, b) in {
        "document": (0, 9),
        "birth": (13, 19),
        "expiry": (21, 27),
        "personal": (28, 42),
    }.items():
        if icao(l2[a:b]) != int(l2[b]):
            bad.append(name)
    if icao(l2[0:10] + l2[13:20] + l2[21:43]) != int(l2[43]):
        bad.append("composite")
    return bad


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    cmd = [
        sys.executable,
        "-m",
        "commands",
        "fixtures",
        "generate",
        "--out",
        str(out),
        "--n",
        str(N),
        "--seed",
        str(SEED),
        "--workers",
        "2",
        "--profile",
        "compact",
    ]
    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, timeout=240)
    return out


@pytest.fixture(scope="module")
def labels(generated: Path) -> dict:
    return json.loads((generated / "labels.json").read_text())


def test_every_scenario_once(labels: dict) -> None:
    scenarios = sorted(c["scenario"] for c in labels["cases"].values())
    assert len(scenarios) == N and len(set(scenarios)) == N
    assert labels["generator"] == "synth 1" and labels["seed"] == SEED


def test_labels_match_specs_and_check_digits(generated: Path, labels: dict) -> None:
    for task in plan_tasks(generated, N, SEED, "compact"):
        spec = make_spec(task)
        lab = labels["cases"][task.folder]
        truth, card, scenario = lab["truth"], spec.card, lab["scenario"]
        assert truth["id.curp"] == card.curp
        assert curp_ok(card.curp) == (scenario != "curp_invalid"), scenario
        assert curp_ok(spec.registration["curp"]) == (scenario != "curp_invalid")
        if scenario == "curp_mismatch":
            assert spec.registration["curp"] != card.curp
        else:
            assert spec.registration["curp"] == card.curp
        problems = (td1_problems if spec.id_type == "ine" else td3_problems)(card.mrz_lines)
        assert truth["id.mrz_valid"] == (not problems), (scenario, problems)
        if scenario != "mrz_inconsistent":
            assert not problems, (scenario, problems)
            assert _mrz_agrees(spec.id_type, card.mrz_lines, truth), scenario
        else:
            assert problems or not _mrz_agrees(spec.id_type, card.mrz_lines, truth)
        if spec.id_type == "ine":
            assert card.mrz_lines[0][5:14] == truth["id.numero_documento"]
            assert truth["id.vigencia_hasta"].endswith("-12-31")
        else:
            # real Mexican passports leave the personal number empty (docs/families.md)
            assert card.mrz_lines[1][28:43] == "<" * 14 + "0"
            assert truth["id.clave_elector"] is None


def _mrz_agrees(id_type: str, lines: list[str], truth: dict) -> bool:
    birth = dt.date.fromisoformat(truth["id.fecha_nacimiento"]).strftime("%y%m%d")
    expiry = dt.date.fromisoformat(truth["id.vigencia_hasta"]).strftime("%y%m%d")
    # the INE's MRZ prints the card's H/M; the passport's is ICAO M/F (docs/real-documents.md)
    sex = truth["id.sexo"] if id_type == "ine" else {"H": "M", "M": "F"}[truth["id.sexo"]]
    if id_type == "ine":
        fields = (lines[1][0:6], lines[1][7], lines[1][8:14])
        given = lines[2].split("<<")[1]
    else:
        fields = (lines[1][13:19], lines[1][20], lines[1][21:27])
        given = lines[0][5:].split("<<")[1]
    first_given = truth["id.nombre"].split()[0]
    plain = first_given.translate(str.maketrans("ÁÉÍÓÚÑ", "AEIOUN"))
    return fields == (birth, sex, expiry) and given.startswith(plain)


def test_routing_and_dates(generated: Path, labels: dict) -> None:
    for folder, lab in labels["cases"].items():
        case = Case.model_validate_json((generated / folder / "case.json").read_text())
        scenario = lab["scenario"]
        fecha = lab["truth"]["address.fecha"]
        if fecha:
            age = (case.submitted_at.date() - dt.date.fromisoformat(fecha)).days
            assert (150 <= age <= 430) if scenario == "address_stale" else (3 <= age <= 61), age
        expired = (
            dt.date.fromisoformat(lab["truth"]["id.vigencia_hasta"]) < case.submitted_at.date()
        )
        assert expired == (scenario == "id_expired")
        genuine = scenario.startswith("genuine")
        assert (lab["expected_decision"] == "verified") == genuine
        assert bool(lab["expected_reasons"]) != genuine


def test_contract_check_passes(generated: Path) -> None:
    if not CONTRACT_CHECK.exists():
        pytest.skip("the shared contract checker is not on this machine")
    out = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), str(generated)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and f"{N} cases, 0 problems" in out.stdout, out.stdout


def test_deterministic(generated: Path, tmp_path: Path) -> None:
    from synth.generate import build_case

    task = plan_tasks(tmp_path, N, SEED, "compact")[3]
    build_case(task)
    again = (tmp_path / task.folder / "case.json").read_text()
    assert again == (generated / task.folder / "case.json").read_text()
    for f in (generated / task.folder).iterdir():
        assert (tmp_path / task.folder / f.name).read_bytes() == f.read_bytes(), f.name
