"""ID layout families: every family draws its document, ``--family`` restricts the draw without
changing anything else a case decides, labels carry the family, and the evaluation reports the
figures per family and per ID type."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from analysis.evaluate import evaluate, format_report
from commands import main
from synth import families, ids
from synth.generate import generate_set, make_spec, plan_tasks
from synth.people import random_person

TODAY = dt.date(2026, 3, 2)
SEED = 11


def _card(kind: str, seed: int = 3) -> ids.IdCard:
    rng = random.Random(seed)
    person = random_person(rng, "M", TODAY, 18)
    return (ids.ine_card if kind == "ine" else ids.passport)(person, rng, TODAY)


def _portrait(aspect: float) -> Image.Image:
    y, x = np.mgrid[0:300, 0 : round(300 * aspect)]
    face = (110 + 60 * np.sin(x / 9.0) * np.cos(y / 13.0)).astype(np.uint8)
    return Image.fromarray(face).convert("RGB")


def _spread(img: Image.Image) -> float:
    return float(np.asarray(img.convert("L"), np.float32).std())


@pytest.mark.parametrize("name", list(families.families()))
def test_each_family_draws_its_sides_at_its_scale(name: str) -> None:
    fam = families.families()[name]
    size_mm = ids.INE_MM if fam.kind == "ine" else ids.PASSPORT_MM
    expected = (round(size_mm[0] * fam.base_k), round(size_mm[1] * fam.base_k))
    card = _card(fam.kind)
    front = fam.render_front(card, _portrait(fam.portrait_aspect), random.Random(1), fam.base_k)
    assert front.mode == "RGB" and front.size == expected, front.size
    assert _spread(front) > 15, "a blank front"
    if fam.kind == "ine":
        assert fam.render_back is not None, "an INE case uploads a back"
        back = fam.render_back(card, random.Random(1), fam.base_k)
        assert back.size == expected and _spread(back) > 15
    assert fam.kind in ("ine", "passport") and 0.6 < fam.portrait_aspect < 0.9


@pytest.mark.parametrize(
    "fam", [f for f in families.of_kind("ine") if not f.blind], ids=lambda f: f.name
)
def test_ine_fronts_leave_out_a_hidden_domicilio(fam: families.IdFamily) -> None:
    card = _card("ine")
    drawn = []
    for visible in (True, False):
        shown = dataclasses.replace(card, domicilio_visible=visible)
        portrait = _portrait(fam.portrait_aspect)
        img = fam.render_front(shown, portrait, random.Random(5), fam.base_k)
        drawn.append(np.asarray(img, np.int16))
    assert np.abs(drawn[0] - drawn[1]).sum() > 0


def test_registry_and_pick() -> None:
    names = list(families.families())
    assert {"ine_2019", "passport_2008", "ine_2014", "passport_2021"} <= set(names)
    assert len(names) == len(set(names))
    for kind in ("ine", "passport"):
        drawn = {families.pick(kind, random.Random(i)).name for i in range(60)}
        assert drawn == {f.name for f in families.of_kind(kind)}, kind
    assert families.pick("ine", random.Random(0), {"ine_2014"}).name == "ine_2014"
    with pytest.raises(ValueError):
        families.pick("passport", random.Random(0), {"ine_2014"})


def test_family_restriction_changes_only_the_family(tmp_path: Path) -> None:
    every = frozenset(families.families())
    for task in plan_tasks(tmp_path, 17, SEED, "compact"):
        free = make_spec(task)
        limited = make_spec(dataclasses.replace(task, families=every))
        assert free.family == limited.family and free.card == limited.card
        assert free.registration == limited.registration
        assert free.submission_id == limited.submission_id
        only_ine = make_spec(dataclasses.replace(task, families=frozenset({"ine_2014"})))
        assert only_ine.family == "ine_2014" and only_ine.id_type == "ine"
        assert only_ine.person == free.person  # drawn before the ID kind
        if free.id_type == "ine":  # a forced kind draws another card, and so the rest differs
            assert only_ine.card == free.card and only_ine.registration == free.registration
        only_passport = dataclasses.replace(task, families=frozenset({"passport_2021"}))
        assert make_spec(only_passport).id_type == "passport"


def test_generated_labels_carry_the_family(tmp_path: Path) -> None:
    labels = generate_set(
        tmp_path, 3, SEED, workers=1, profile="compact", only=frozenset({"ine_2014"})
    )
    for folder, label in labels["cases"].items():
        assert label["family"] == "ine_2014" and label["id_type"] == "ine", folder
        case = json.loads((tmp_path / folder / "case.json").read_text())
        assert case["documents"]["id_type"] == "ine" and case["documents"]["id_back"]
    with pytest.raises(ValueError):
        generate_set(tmp_path, 1, SEED, workers=1, only=frozenset({"ine_1992"}))


def test_cli_rejects_an_unknown_family(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    argv = ["fixtures", "generate", "--out", str(tmp_path / "x"), "--n", "1", "--seed", "1"]
    assert main([*argv, "--family", "ine_2014,nope"]) == 2
    assert "nope" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def _label(scenario: str, expected: str, family: str, id_type: str, curp: str) -> dict:
    return {
        "scenario": scenario,
        "id_type": id_type,
        "family": family,
        "expected_decision": expected,
        "expected_reasons": [] if expected == "verified" else ["FACE_MISMATCH"],
        "readable": {"id": True, "address": True},
        "truth": {"id.curp": curp, "id.sexo": "M"},
    }


def test_evaluation_per_family_and_id_type(tmp_path: Path) -> None:
    curp = "GOMA850101MDFRRL09"
    labels = {
        "a": _label("genuine_ine", "verified", "ine_2014", "ine", curp),
        "b": _label("genuine_ine", "verified", "ine_2014", "ine", curp),
        "c": _label("face_mismatch", "review", "ine_2014", "ine", curp),
        "d": _label("face_mismatch", "review", "ine_2019", "ine", curp),
        "e": _label("genuine_passport", "verified", "passport_2021", "passport", curp),
    }
    verdicts = {  # name -> (decision, CURP read)
        "a": ("verified", curp),
        "b": ("review", "GOMA850101MDFRRL0"),
        "c": ("verified", curp),  # a false verify
        "d": ("review", curp),
        "e": ("verified", None),
    }
    for name, (decision, read) in verdicts.items():
        verdict = {"decision": decision, "reasons": [], "extracted": {"id": {"curp": read}}}
        (tmp_path / f"{name}.json").write_text(json.dumps(verdict), encoding="utf-8")
    result = evaluate(labels, tmp_path)
    new = result.by_family["ine_2014"]
    assert (new.cases, new.false_verifies, new.non_genuine) == (3, 1, 1)
    assert (new.genuine_verified, new.genuine, new.fault_routing_ok) == (1, 2, 0)
    assert new.fields["id.curp"] == [2, 3] and new.fields["id.sexo"] == [0, 3]
    assert result.by_family["ine_2019"].rates()["fault_routing_accuracy"] == 1.0
    assert result.by_family["passport_2021"].fields["id.curp"] == [0, 1]
    ine = result.by_id_type["ine"]
    assert (ine.cases, ine.false_verifies, ine.fault_cases, ine.fault_routing_ok) == (4, 1, 2, 1)
    assert result.by_id_type["passport"].rates()["automation_rate"] == 1.0
    data = result.to_json()
    assert data["by_family"]["ine_2014"]["rates"]["false_verify_rate"] == 1.0
    assert data["by_id_type"]["ine"]["field_accuracy"]["id.curp"] == 0.75
    report = format_report(result)
    assert "false verifies: 1 of 2 non-genuine (50.0%)" in report
    row = next(line for line in report.splitlines() if line.strip().startswith("ine_2014"))
    assert row.split()[1:4] == ["3", "1/1", "100.0%"], row
