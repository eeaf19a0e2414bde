"""The second-look scheduler (pipeline.id.scheduler): one ranked order, each look once, a look
only where the layout template has its label, none started once the CPU budget is spent, and
a record of what ran."""

from __future__ import annotations

import numpy as np

from models.documents import IdReading, SecondLook
from pipeline import document
from pipeline.id import templates
from pipeline.id.looks import IdState
from pipeline.id.scheduler import LOOKS, Budget, Look, Why, cpu_seconds, looks_budget, run_looks


def _state(template: str = templates.INE_FRONT) -> IdState:
    page = document.Page(image=np.full((40, 40, 3), 255, np.uint8))
    return IdState(templates.load(template), page, {}, None, None)  # type: ignore[arg-type]


def _look(name: str, why: Why | None, ran: list[str], side: bool = False,
          labels: tuple[str, ...] = (), stops: str = "") -> Look:  # fmt: skip
    """A look due for ``why`` (until a look named in ``ran`` stops it), recording its run."""

    def trigger(state: IdState, look: Look) -> Why | None:
        return None if stops and stops in ran else why

    def action(state: IdState, look: Look) -> bool:
        ran.append(name)
        return name.startswith("change")

    return Look(name, "curp", labels, None, trigger, action, side=side)


def test_looks_run_once_each_side_first_then_missing_contradicted_weak() -> None:
    ran: list[str] = []
    looks = (
        _look("weak", Why.WEAK, ran),
        _look("contradicted", Why.CONTRADICTED, ran),
        _look("change missing", Why.MISSING, ran),
        _look("missing too", Why.MISSING, ran),
        _look("side", Why.WEAK, ran, side=True),
        _look("never due", None, ran),
    )
    record = run_looks(_state(), Budget(cpu_seconds(), 60.0), looks)
    assert ran == ["side", "change missing", "missing too", "contradicted", "weak"]
    assert [(r.look, r.why, r.outcome) for r in record][1:3] == [
        ("change missing", "missing", "changed"),
        ("missing too", "missing", "kept"),
    ]


def test_a_look_that_settles_a_field_stops_the_looks_it_made_unneeded() -> None:
    ran: list[str] = []
    looks = (_look("after", Why.WEAK, ran, stops="first"), _look("first", Why.MISSING, ran))
    run_looks(_state(), Budget(cpu_seconds(), 60.0), looks)
    assert ran == ["first"]


def test_no_look_starts_once_the_budget_is_spent() -> None:
    ran: list[str] = []
    looks = (_look("a", Why.MISSING, ran), _look("b", Why.WEAK, ran))
    record = run_looks(_state(), Budget(cpu_seconds() - 10.0, 1.0), looks)
    assert ran == []
    assert [(r.look, r.outcome) for r in record] == [("a", "budget"), ("b", "budget")]
    # the record is part of the ID reading (shown in the verdict's evidence)
    reading = IdReading(id_type="ine", second_looks=record)
    assert reading.second_looks[0] == SecondLook(look="a", field="curp", why="missing",
                                                 outcome="budget")  # fmt: skip


def test_a_look_applies_where_the_layout_template_has_its_label() -> None:
    ran: list[str] = []
    looks = (_look("expiry", Why.MISSING, ran, labels=("caducidad",)),)
    run_looks(_state(templates.INE_FRONT), Budget(cpu_seconds(), 60.0), looks)
    assert ran == []
    run_looks(_state(templates.PASSPORT_PAGE), Budget(cpu_seconds(), 60.0), looks)
    assert ran == ["expiry"]


def test_every_look_is_data_for_both_id_kinds_and_the_budget_is_policy() -> None:
    assert looks_budget() > 0
    for template in (templates.INE_FRONT, templates.PASSPORT_PAGE):
        fields = templates.load(template).fields
        kinds = [look for look in LOOKS if not look.labels or set(look.labels) & set(fields)]
        names = {look.name for look in kinds}
        # the same entries serve both kinds: dates, the CURP and the side's re-read
        assert {"levelled photo", "date vs MRZ", "CURP settled"} <= names


SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CURP = "GOPM900315MDFNRR09"


def _front(value_text: str, sex: str = "M") -> IdState:
    """An INE front whose page OCR found the FECHA DE NACIMIENTO and SEXO labels (the values
    printed beside them are for the second looks to read), with ``value_text`` as the date."""
    from PIL import Image, ImageDraw, ImageFont

    from pipeline.engines.tesseract import OcrWord

    img = Image.new("L", (900, 200), 235)
    draw = ImageDraw.Draw(img)
    small, big = ImageFont.truetype(SANS, 18), ImageFont.truetype(SANS, 26)
    draw.text((40, 30), "FECHA DE NACIMIENTO", font=small, fill=60)
    draw.text((280, 26), value_text, font=big, fill=20)
    draw.text((40, 120), "SEXO", font=small, fill=60)
    draw.text((100, 117), sex, font=big, fill=20)
    words = (
        OcrWord("FECHA", 0.95, 40, 32, 70, 18, (1, 1, 1)),
        OcrWord("DE", 0.95, 116, 32, 26, 18, (1, 1, 1)),
        OcrWord("NACIMIENTO", 0.95, 148, 32, 120, 18, (1, 1, 1)),
        OcrWord("SEXO", 0.95, 40, 122, 50, 18, (1, 2, 1)),
    )
    page = document.Page(image=np.asarray(img.convert("RGB"))[:, :, ::-1].copy(), words=words)
    return IdState(templates.load(templates.INE_FRONT), page, {}, None, None)  # type: ignore[arg-type]


def _mrz(birth: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    from pipeline.mrz import compose_td1, parse_mrz

    lines = compose_td1("ID", "MEX", "123456789", "1234567890123", birth, "M", "301231", "MEX",
                        "GONZALEZ PEREZ", "MARIA JOSE")  # fmt: skip
    mrz = parse_mrz(lines, today=dt.date(2026, 11, 20))
    assert mrz is not None and mrz.valid
    return mrz


def _only(name: str, field: str) -> tuple[Look, ...]:
    return tuple(look for look in LOOKS if look.name == name and look.field == field)


def test_a_printed_date_the_mrz_contradicts_is_read_again_and_kept_only_if_it_agrees(
    engines,  # type: ignore[no-untyped-def]
) -> None:
    # the old recheck_ine_dates / recheck_passport_dates: a misread printed date (18 for 15)
    import datetime as dt

    from models.results import Reading, Source

    misread = Reading(value=dt.date(1990, 3, 18), confidence=0.8, source=Source.LABEL)
    state = _front("15/03/1990")
    state.ocr, state.mrz, state.fields = engines.ocr, _mrz("900315"), {"fecha_nacimiento": misread}
    record = run_looks(state, Budget(cpu_seconds(), 60.0), _only("date vs MRZ", "fecha_nacimiento"))
    again = state.fields["fecha_nacimiento"]
    assert again.value == dt.date(1990, 3, 15) and again.source is Source.REGION
    assert Source.MRZ in again.witnesses and [r.outcome for r in record] == ["changed"]
    # a print that really differs from the MRZ stays as printed (MRZ_INCONSISTENT follows)
    other = _front("18/03/1990")
    other.ocr, other.mrz, other.fields = engines.ocr, _mrz("900315"), {"fecha_nacimiento": misread}
    record = run_looks(other, Budget(cpu_seconds(), 60.0), _only("date vs MRZ", "fecha_nacimiento"))
    assert other.fields["fecha_nacimiento"] is misread and [r.outcome for r in record] == ["kept"]


def test_a_sex_letter_the_page_missed_is_read_beside_its_label(engines) -> None:  # type: ignore[no-untyped-def]
    # the old find_sex -> reocr_beside: SEXO read, its letter not; the CURP's letter witnesses it
    from models.results import Reading, Source

    state = _front("15/03/1990")
    curp = Reading(value=CURP, confidence=0.9, source=Source.LABEL)
    implied = Reading(value="M", confidence=0.9, source=Source.CURP)
    state.ocr, state.fields = engines.ocr, {"curp": curp, "sexo": implied}
    record = run_looks(state, Budget(cpu_seconds(), 60.0), _only("letter beside label", "sexo"))
    sex = state.fields["sexo"]
    assert (sex.value, sex.source, sex.witnesses) == ("M", Source.REGION, (Source.CURP,))
    assert [(r.why, r.outcome) for r in record] == [("missing", "changed")]


def test_a_letter_the_curp_contradicts_replaces_it_only_when_read_more_surely(engines) -> None:  # type: ignore[no-untyped-def]
    # ine_blind seed 9701 cases 52 and 95: SEXO's letter printed under the label, the page
    # OCR missing it; beside the label the guilloche was read as a letter at confidence 0,
    # which replaced the CURP's (right) letter and left the sex check inconclusive
    from models.results import Reading, Source

    man = CURP[:10] + "H" + CURP[11:]  # a CURP whose letter the printed M contradicts
    for implied_confidence, expected in ((1.0, "H"), (0.0, "M")):
        state = _front("15/03/1990")
        implied = Reading(value="H", confidence=implied_confidence, source=Source.CURP)
        curp = Reading(value=man, confidence=0.9, source=Source.LABEL)
        state.ocr, state.fields = engines.ocr, {"curp": curp, "sexo": implied}
        run_looks(state, Budget(cpu_seconds(), 60.0), _only("letter beside label", "sexo"))
        assert state.fields["sexo"].value == expected, implied_confidence


def test_the_record_is_in_the_id_readable_evidence() -> None:
    from pipeline.document_checks import id_readable_check
    from pipeline.policy import load_policy

    look = SecondLook(look="date vs MRZ", field="vigencia_hasta", why="contradicted",
                      outcome="changed")  # fmt: skip
    check = id_readable_check(IdReading(id_type="ine", second_looks=[look]), load_policy())
    assert check.evidence["segundas_lecturas"] == [
        "vigencia_hasta: date vs MRZ (contradicted, changed)"
    ]


def test_a_curp_holding_its_check_digit_that_the_names_contradict_is_read_again(engines) -> None:  # type: ignore[no-untyped-def]
    # passport_blind seed 9701 case 162, ine_2014 seed 9801 case 41: the V of VILLA... read
    # as M keeps the check digit (their values differ by 10, position 0 weighs 18), so the
    # CURP read "as printed" was never looked at again, and went to review as another's.
    # It is read again; a reading that agrees is taken, never a rewrite of the first one
    import datetime as dt

    from PIL import Image, ImageDraw, ImageFont

    from models.results import Reading, Source
    from pipeline.engines.tesseract import OcrWord

    def state_reading(printed: str) -> IdState:
        img = Image.new("L", (700, 100), 235)
        draw = ImageDraw.Draw(img)
        draw.text((20, 32), "CURP", font=ImageFont.truetype(SANS, 18), fill=60)
        draw.text((110, 28), printed, font=ImageFont.truetype(SANS, 26), fill=20)
        words = (
            OcrWord("CURP", 0.9, 20, 34, 55, 18, (1, 1, 1)),
            OcrWord("MICR750831HDFLHL45", 0.9, 110, 30, 330, 26, (1, 1, 1)),
        )
        image = np.asarray(img.convert("RGB"))[:, :, ::-1].copy()
        state = IdState(templates.load(templates.INE_FRONT), document.Page(image, words=words),
                        {}, None, engines.ocr)  # fmt: skip
        state.fields.update(
            curp=Reading(value="MICR750831HDFLHL45", confidence=0.9, source=Source.LABEL),
            nombre=Reading(value="RAÚL", confidence=0.9, source=Source.LABEL),
            primer_apellido=Reading(value="VILLASEÑOR", confidence=0.9, source=Source.LABEL),
            segundo_apellido=Reading(value="COHEN", confidence=0.9, source=Source.LABEL),
            fecha_nacimiento=Reading(value=dt.date(1975, 8, 31), confidence=0.9,
                                     source=Source.LABEL),
        )  # fmt: skip
        return state

    (look,) = _only("CURP settled", "curp")
    state = state_reading("VICR750831HDFLHL45")
    assert look.trigger(state, look) is Why.CONTRADICTED
    ran = run_looks(state, Budget.start(10.0), (look,))
    assert state.fields["curp"].value == "VICR750831HDFLHL45"
    assert [(r.why, r.outcome) for r in ran] == [("contradicted", "changed")]
    # a card printing the CURP the names contradict keeps it, as printed
    state = state_reading("MICR750831HDFLHL45")
    run_looks(state, Budget.start(10.0), (look,))
    assert state.fields["curp"].value == "MICR750831HDFLHL45"


def test_a_printed_sex_the_mrz_contradicts_is_read_again_and_kept_only_if_it_agrees(
    engines,  # type: ignore[no-untyped-def]
) -> None:
    # ine_blind seed 9917 case 135: the printed M read as H near SEXO while the valid MRZ
    # and the CURP say M: SEX_MISMATCH and MRZ_INCONSISTENT on a genuine card
    from models.results import Reading, Source

    misread = Reading(value="H", confidence=0.8, source=Source.NEAR)
    state = _front("15/03/1990", sex="M")
    state.ocr, state.mrz, state.fields = engines.ocr, _mrz("900315"), {"sexo": misread}
    record = run_looks(state, Budget(cpu_seconds(), 60.0), _only("letter vs MRZ", "sexo"))
    sex = state.fields["sexo"]
    assert (sex.value, sex.source) == ("M", Source.REGION) and Source.MRZ in sex.witnesses
    assert [(r.why, r.outcome) for r in record] == [("contradicted", "changed")]
    # a print that really says H stays (SEX_MISMATCH / MRZ_INCONSISTENT follow)
    other = _front("15/03/1990", sex="H")
    other.ocr, other.mrz, other.fields = engines.ocr, _mrz("900315"), {"sexo": misread}
    record = run_looks(other, Budget(cpu_seconds(), 60.0), _only("letter vs MRZ", "sexo"))
    assert other.fields["sexo"] is misread and [r.outcome for r in record] == ["kept"]
