"""ID reading helpers (pipeline.id) that recover fields the first page reading lost (pure, no OCR)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from models.documents import DocumentImage
from pipeline import curp as curp_rules
from pipeline import document, text_lines
from pipeline.engines.tesseract import OcrWord
from pipeline.id import templates
from pipeline.id.curp_reading import find_curp
from pipeline.id.curp_values import read_as_printed
from pipeline.id.fields import bilingual_months, day_dates, glued_dates
from pipeline.id.looks import IdState, SideRead
from pipeline.id.marks import densest_band, fit_tall_words
from pipeline.id.regions import level, text_tilt
from pipeline.id.scheduler import LOOKS, side_misread

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def test_month_pair_with_slash_read_as_letter_is_not_a_two_digit_year() -> None:
    assert day_dates("06 OCTIOCT 2026") == [dt.date(2026, 10, 6)]
    assert day_dates("11 ABRIAPR 1988", birth=True) == [dt.date(1988, 4, 11)]
    assert day_dates("06 OCT OCT 2026") == [dt.date(2026, 10, 6)]


def test_month_pair_leaves_other_text_alone() -> None:
    assert bilingual_months("Fecha de caducidad") == "FECHA DE CADUCIDAD"
    assert day_dates("15 DE ENERO DE 2026") == [dt.date(2026, 1, 15)]


def test_glued_dates_reject_impossible_days() -> None:
    assert glued_dates("23111993") == [dt.date(1993, 11, 23)]
    assert glued_dates("31021990 123111993") == []


def test_densest_band_picks_the_heaviest_run() -> None:
    assert densest_band(np.array([0.0, 0.0, 0.0])) is None
    assert densest_band(np.array([0.5, 0.5, 0.0, 0.1])) == (0, 2)


def _page_with_stretched_word() -> tuple[document.Page, OcrWord]:
    image = Image.new("L", (600, 200), 255)
    draw = ImageDraw.Draw(image)
    draw.text((20, 20), "Nombres", font=ImageFont.truetype(SANS, 14), fill=0)
    draw.text((20, 70), "GUADALUPE", font=ImageFont.truetype(SANS, 28), fill=0)
    grey = np.array(image)
    # Tesseract's box for the name, stretched up over the label line
    stretched = OcrWord("GUADALUPE", 0.9, 18, 15, 190, 95, (1, 1, 1))
    small = [OcrWord(f"w{i}", 0.9, 300, 10 + 20 * i, 30, 16, (2, 1, i)) for i in range(5)]
    return document.Page(image=grey, words=(stretched, *small)), stretched


def test_tall_word_box_fitted_to_its_text_line() -> None:
    page, stretched = _page_with_stretched_word()
    fitted = fit_tall_words(page).words[0]
    assert fitted.text == "GUADALUPE"
    assert 60 <= fitted.top <= 80 and 15 <= fitted.height <= 40
    # once fitted it is grouped as a text line, not dropped as a graphic
    lines = text_lines.group_lines(fit_tall_words(page).words)
    assert any(w.text == "GUADALUPE" for line in lines for w in line)
    assert not any(
        w.text == "GUADALUPE" for line in text_lines.group_lines(page.words) for w in line
    )


def test_ordinary_words_keep_their_boxes() -> None:
    page, _ = _page_with_stretched_word()
    assert fit_tall_words(page).words[1:] == page.words[1:]
    assert fit_tall_words(document.Page(image=page.image)).words == ()


def test_compound_single_surname_over_two_lines() -> None:
    from pipeline.id.name_parts import split_name_lines

    parts = split_name_lines(["DE LOS SANTOS", "JOSE ANTONIO"], "SAXA030911HSLNXNA2")
    assert parts == {
        "primer_apellido": "DE LOS SANTOS",
        "segundo_apellido": "",
        "nombre": "JOSE ANTONIO",
    }
    one_line = split_name_lines(["DE LA TORRE JOSE LUIS"], "TOXL520602HDFRXS06")
    assert one_line["primer_apellido"] == "DE LA TORRE" and one_line["nombre"] == "JOSE LUIS"


def test_second_surname_line_is_not_taken_for_the_given_name() -> None:
    from pipeline.id.name_parts import split_name_lines

    assert split_name_lines(["MUÑOZ", "CRUZ"], "MUCA700107HHGXRN69") == {
        "primer_apellido": "MUÑOZ",
        "segundo_apellido": "CRUZ",
    }
    # without a valid CURP the second line stays the given name
    assert split_name_lines(["MUÑOZ", "CRUZ"], None)["nombre"] == "CRUZ"


def _word_image(printed: str, read: str) -> tuple[np.ndarray, OcrWord]:
    """``printed`` rendered in bold capitals, and the word box an OCR that read ``read``
    would give (the ink box of the capitals)."""
    image = Image.new("L", (420, 120), 255)
    ImageDraw.Draw(image).text((20, 30), printed, font=ImageFont.truetype(SANS, 40), fill=0)
    grey = np.array(image)
    rows, cols = np.nonzero(grey < 128)
    box = OcrWord(read, 0.95, int(cols.min()), int(rows.max()) - 29, int(np.ptp(cols)) + 1, 30,
                  (1, 1, 1))  # fmt: skip
    return grey, box


def test_dropped_tilde_and_accent_put_back() -> None:
    from pipeline.id.marks import word_marks

    assert word_marks(*_word_image("MONTAÑO", "MONTANO")) == "MONTAÑO"
    assert word_marks(*_word_image("CÉSAR", "CESAR")) == "CÉSAR"
    assert word_marks(*_word_image("MONTANO", "MONTANO")) == "MONTANO"


def test_enye_the_curp_contradicts_is_an_n() -> None:
    from pipeline.curp import drop_unconfirmed_enye

    assert drop_unconfirmed_enye("SAÑCHEZ", "N") == "SANCHEZ"
    assert drop_unconfirmed_enye("MUÑOZ", "X") == "MUÑOZ"


def test_reread_margin_has_the_paper_colour() -> None:
    from pipeline.id.regions import paper_pad

    tinted = np.full((20, 40), 190, np.uint8)
    tinted[8:12, 5:35] = 20  # a line of print
    padded = paper_pad(tinted, border=5)
    assert padded.shape == (30, 50)
    assert padded[0, 0] == 190 and padded[-1, -1] == 190


def test_homonym_curp_differing_only_in_its_homonym_digit_is_a_mismatch() -> None:
    from models.codes import ReasonCode
    from pipeline import document_checks
    from pipeline.curp import check_digit
    from pipeline.policy import load_policy
    from tests.test_documents import CURP, _r, id_reading, make_case

    # 0 -> 5 at the homonym position (weight 2) keeps the check digit: another person's CURP
    homonym = CURP[:16] + "5" + CURP[17]
    assert CURP[16] == "0" and check_digit(homonym[:17]) == homonym[17]
    checks = document_checks.id_checks(make_case(), id_reading(curp=_r(homonym)), load_policy())
    assert ReasonCode.CURP_MISMATCH in {r for c in checks for r in c.reasons}


def _phrase(text: str, line: int = 0) -> text_lines.Phrase:
    return text_lines.Phrase(text, 0.9, 0, line * 40, 600, line * 40 + 30, line)


def test_a_curp_cut_from_a_longer_run_is_not_taken_as_read() -> None:
    # the OCR doubled a glyph (GAGA0O70516...): the window after the first letter is shaped
    # like a CURP and its check digit holds, but only by chance (one window in ten)
    chance = "AGAO070516HDFLNRA5"
    assert curp_rules.check_digit(chance[:17]) == chance[17]
    label = _phrase("CURP GAGA0O70516HDFLNRAS")
    reading, _ = find_curp([label], label, 2007)
    assert reading.value == chance and not read_as_printed(reading)
    assert reading.confidence < 0.5 and reading.partial
    whole = _phrase("CURP GAGA070516HDFLNRA8")
    reading, _ = find_curp([whole], whole, 2007)
    assert reading.value == "GAGA070516HDFLNRA8" and read_as_printed(reading)


def _slanted_card(angle: float) -> np.ndarray:
    """A photo of a few long printed lines, turned ``angle`` degrees counter-clockwise."""
    image = Image.new("RGB", (1600, 1200), (225, 230, 220))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(SANS, 34)
    for i, text in enumerate(["INSTITUTO NACIONAL ELECTORAL", "CREDENCIAL PARA VOTAR",
                              "CLAVE DE ELECTOR GOPMRA90031509M100", "CURP GOPM900315MDFNRR09",
                              "FECHA DE NACIMIENTO 15/03/1990"]):  # fmt: skip
        draw.text((300, 350 + 80 * i), text, font=font, fill=(20, 20, 20))
    return np.asarray(image.rotate(angle, fillcolor=(225, 230, 220)))


def test_slanted_print_is_measured_and_levelled() -> None:
    photo = _slanted_card(6.0)
    assert abs(text_tilt(photo) + 6.0) < 1.0  # image axes: y runs down
    assert abs(text_tilt(level(photo, text_tilt(photo)))) < 0.5
    assert abs(text_tilt(_slanted_card(0.0))) < 0.5


def _side_state(
    photo: np.ndarray, page: document.Page, record: DocumentImage, weak: bool
) -> IdState:
    """A read INE front whose CURP is (``weak``: is not) doubtful, to be levelled or not."""
    from models.results import Reading, Source

    curp = Reading(value="GOPM900315MDFNRR09", confidence=0.9, source=Source.LABEL)
    names = {k: Reading(value="ANA", confidence=0.9, source=Source.LABEL)
             for k in ("primer_apellido", "nombre")}  # fmt: skip
    fields = names if weak else {"curp": curp, **names}
    side = SideRead(photo, record, "ine_front", lambda p: ({}, None))
    template = templates.load(templates.INE_FRONT)
    return IdState(template, page, dict(fields), None, None, side=side)  # type: ignore[arg-type]


def test_a_levelled_second_reading_only_on_the_failure_path() -> None:
    photo = _slanted_card(6.0)
    outlined = document.Page(image=photo, outline_found=True)
    whole = document.Page(image=photo)
    front, other = DocumentImage(kind="ine_front"), DocumentImage(kind="other")
    levelled = next(look for look in LOOKS if look.side)
    # the outline was the card: not even a doubtful reading is read again whole
    assert side_misread(_side_state(photo, outlined, front, True), levelled) is None
    # the outline was something else (the portrait): read again whole
    assert side_misread(_side_state(photo, outlined, other, False), levelled) is not None
    # no outline: only a doubtful reading is, and only a leaning print is levelled (no OCR)
    assert side_misread(_side_state(photo, whole, front, False), levelled) is None
    upright = _slanted_card(0.0)
    state = _side_state(upright, document.Page(image=upright), front, True)
    assert side_misread(state, levelled) is not None
    assert levelled.action(state, levelled) is False  # every case above returns before any OCR


def _block_page() -> tuple[document.Page, text_lines.Phrase, list[text_lines.Phrase]]:
    """A small NOMBRE label over three name lines printed much larger than it (the INE 2014
    front), a date column to the right, and the DOMICILIO label under the names."""
    img = Image.new("L", (900, 330), 235)
    draw = ImageDraw.Draw(img)
    small, big = ImageFont.truetype(SANS, 14), ImageFont.truetype(SANS, 30)
    draw.text((40, 20), "NOMBRE", font=small, fill=60)
    for i, line in enumerate(["GUTIERREZ", "YAÑEZ", "GERARDO"]):
        draw.text((40, 45 + 48 * i), line, font=big, fill=20)
    draw.text((520, 24), "FECHA DE NACIMIENTO", font=small, fill=60)
    draw.text((520, 50), "08/10/2000", font=big, fill=20)
    draw.text((40, 205), "DOMICILIO", font=small, fill=60)
    draw.text((40, 230), "C DR VERTIZ 44", font=big, fill=20)
    label = text_lines.Phrase("NOMBRE", 0.95, 40, 20, 110, 34, 0)
    columns = [
        text_lines.Phrase("FECHA DE NACIMIENTO", 0.95, 520, 24, 700, 38, 0),
        text_lines.Phrase("DOMICILIO", 0.95, 40, 205, 125, 219, 5),
    ]
    words = (OcrWord("NOMBRE", 0.95, 40, 20, 70, 14, (1, 1, 1)),)
    page = document.Page(image=np.asarray(img.convert("RGB"))[:, :, ::-1].copy(), words=words)
    return page, label, columns


def test_a_label_block_reaches_the_next_label_and_stops_at_the_next_column(engines) -> None:  # type: ignore[no-untyped-def]
    # seed 9101 ine_2014 case-0005: seven NOMBRE-label heights cut the third, larger name line
    from pipeline.id.looks import block_under
    from pipeline.id.regions import BLOCK, read_box

    page, label, columns = _block_page()
    box, h = block_under(page, label, BLOCK, columns)
    again = read_box(page, box, h, BLOCK, engines.ocr)
    lines = again.text.split()
    assert lines[:3] == ["GUTIERREZ", "YAÑEZ", "GERARDO"]
    assert "08/10/2000" not in lines and "DOMICILIO" not in lines
    # its confidence is the OCR's, word by word: one per word read, each within 0-1
    assert sum(len(line.confidences) for line in again.lines) == len(lines)
    assert 0.5 < again.confidence() <= 1.0


def test_a_lone_letter_inside_the_phrase_beside_sexo_is_no_sex_value() -> None:
    # passport_blind seed 9701 case 11: the F under "Sexo / Sex" unread, the place of birth
    # beside it read "AGUASCA cnc ENEE h": its speck "h" was taken for the sex (H), against
    # the MRZ and the CURP, and the genuine case went to review as MRZ_INCONSISTENT
    from pipeline.id.fields import passport_sex

    def at(text: str, left: int, top: int, line: int) -> text_lines.Phrase:
        return text_lines.Phrase(text, 0.6, left, top, left + 20 * len(text), top + 28, line)

    label = at("Sexo", 1746, 940, 20)
    place = at("AGUASCA cnc ENEE h", 2011, 1012, 24)
    assert not passport_sex([label, place], label).present
    printed = at("F", 1750, 1000, 23)
    assert passport_sex([label, printed, place], label).value == "M"


def test_the_passport_names_line_the_print_confirms_is_taken() -> None:
    # passport_blind seed 9701 case 274: the MRZ reader read the names line's single fillers
    # as K (MENDOZA<KDE<KLEON<<JOSEKXLUIS), no check digit guards it, and the genuine case
    # went to review as NAME_MISMATCH; the page's own OCR of the line was right
    from pipeline.id.name_reading import names_line_the_print_confirms
    from pipeline.mrz import compose_td3, parse_mrz

    names, second = compose_td3("P", "MEX", "MENDOZA DE LEON", "JOSE LUIS", "P59911100", "MEX",
                                "980516", "M", "280929")  # fmt: skip
    misread = parse_mrz(
        [names.replace("A<DE<L", "A<KDE<KL").replace("E<LUIS", "EKXLUIS")[:44], second]
    )
    assert misread is not None and misread.valid and misread.given_names == "JOSEKXLUIS"

    def at(text: str, line: int) -> text_lines.Phrase:
        return text_lines.Phrase(text, 0.9, 40, 40 * line, 900, 40 * line + 30, line)

    page = [at("MENDOZA DE LEÓN", 1), at("JOSÉ LUIS", 2), at(names, 5), at(second, 6)]
    fixed = names_line_the_print_confirms(misread, page)
    assert fixed is not None and (fixed.surnames, fixed.given_names) == (
        "MENDOZA DE LEON",
        "JOSE LUIS",
    )
    # the print confirms neither reading: the MRZ reader's stays
    assert names_line_the_print_confirms(misread, [at("PÉREZ", 1), *page[2:]]) is misread


def test_a_label_read_with_a_slip_ends_the_names_block() -> None:
    # ine_2019 seed 9901 case 109: one surname (ORTIZ / ELENA), then DOMICILIO read as
    # JOMICILIO: the label, found by its fuzzy words, was taken as a third name line
    from models.results import Reading
    from pipeline.id.labels import find_labels
    from pipeline.id.name_reading import find_names_ine

    def at(text: str, line: int) -> text_lines.Phrase:
        return text_lines.Phrase(text, 0.9, 440, 200 + line * 38, 440 + 16 * len(text),
                                 224 + line * 38, line)  # fmt: skip

    found = [at("NOMBRE", 0), at("ORTIZ", 1), at("ELENA", 2), at("JOMICILIO", 3),
             at("AV MEXICO COYOACAN 51", 4)]  # fmt: skip
    labels = find_labels(found, templates.load(templates.INE_FRONT))
    assert labels["domicilio"] is found[3]
    curp = Reading(value="OIXE750522MTCRXL07", confidence=0.9)
    names = {k: r.value for k, r in find_names_ine(found, labels, curp).items()}
    assert names == {"primer_apellido": "ORTIZ", "segundo_apellido": "", "nombre": "ELENA"}


def test_an_address_line_under_a_short_names_block_is_no_name() -> None:
    # ine_2014 seed 9901 case 192: one surname (ORDOÑEZ / RENE RODRIGO), DOMICILIO unread,
    # the first address line taken as a third name line; the CURP (X: no second surname)
    # agrees with the first two lines alone. Case 179 (GOMEZ / CESAR / MICIUO) likewise
    from models.results import Reading
    from pipeline.id.name_reading import find_names_ine

    def at(text: str, line: int) -> text_lines.Phrase:
        return text_lines.Phrase(text, 0.9, 440, 200 + line * 38, 440 + 16 * len(text),
                                 224 + line * 38, line)  # fmt: skip

    found = [at("NOMBRE", 0), at("ORDOÑEZ", 1), at("RENE RODRIGO", 2), at("C ZAPATA INT C", 3)]
    curp = Reading(value="OOXR710313HMCRXN03", confidence=0.9)
    names = {k: r.value for k, r in find_names_ine(found, {"nombre": found[0]}, curp).items()}
    assert names == {"primer_apellido": "ORDOÑEZ", "segundo_apellido": "", "nombre": "RENE RODRIGO"}
    # a CURP that agrees with all three lines keeps them
    curp = Reading(value="GOPM900315MDFNRR09", confidence=0.9)
    found = [at("NOMBRE", 0), at("GONZÁLEZ", 1), at("PÉREZ", 2), at("MARÍA", 3)]
    names = {k: r.value for k, r in find_names_ine(found, {"nombre": found[0]}, curp).items()}
    assert names["nombre"] == "MARÍA"


def test_a_name_line_merged_into_the_label_phrase_is_read_when_the_curp_confirms_it() -> None:
    # ine_blind seed 9901 case 215: the OCR read NOMBRE and the first surname under it as one
    # phrase (NOMBRE BRISEÑO); the surname was lost and LOPEZ taken as the first surname
    from models.results import Reading
    from pipeline.id.labels import find_labels
    from pipeline.id.name_reading import find_names_ine

    def at(text: str, top: int, bottom: int, line: int) -> text_lines.Phrase:
        return text_lines.Phrase(text, 0.95, 471, top, 471 + 16 * len(text), bottom, line)

    found = [at("NOMBRE BRISEÑO", 181, 246, 5), at("LOPEZ", 257, 288, 6),
             at("ROBERTO", 300, 331, 7), at("DOMICILIO", 351, 372, 9)]  # fmt: skip
    labels = find_labels(found, templates.load(templates.INE_FRONT))
    curp = Reading(value="BILR800101HDFRPB04", confidence=0.9)
    names = {k: r.value for k, r in find_names_ine(found, labels, curp).items()}
    assert names == {"primer_apellido": "BRISEÑO", "segundo_apellido": "LOPEZ", "nombre": "ROBERTO"}
    # nothing confirms the merged word without the CURP: the block under the label stands
    names = {k: r.value for k, r in find_names_ine(found, labels, Reading(value=None)).items()}
    assert names["primer_apellido"] == "LOPEZ"
