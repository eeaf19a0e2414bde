"""Second looks at a value whose first reading was cut or lost: the region re-read is the
value's whole extent, under a label printed over two lines, from boxes the OCR stretched.

Regression samples: passport_blind (seed 9401) cases 3 and 4, where the CURP printed under
``CURP`` / ``Personal No.`` was read cut to 14 characters, or as one box stretched over the
portrait beside it, and the case went to review.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline import curp_evidence, document, text_lines
from pipeline.engines.tesseract import OcrWord
from pipeline.id.curp_reading import located_by_evidence, settle_curp
from pipeline.id.labels import value_below

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
CURP = "TOAV980110HMNRCC02"  # a generated holder's, check digit valid
EVIDENCE = curp_evidence.Evidence(birth_dates=(dt.date(1998, 1, 10),), sexes=("H",))


def _rendered(img: Image.Image, words: tuple[OcrWord, ...] = ()) -> document.Page:
    """A drawn image as a page (BGR, as the pipeline holds it), with its first OCR's words."""
    return document.Page(image=np.asarray(img.convert("RGB"))[:, :, ::-1].copy(), words=words)


def _phrase(text: str, box: tuple[int, int, int, int], line: int) -> text_lines.Phrase:
    return text_lines.Phrase(text, 0.9, *box, line)


def _page() -> tuple[document.Page, list[text_lines.Phrase]]:
    """A two-line bilingual label over a CURP printed larger, and a grey block (a portrait)
    to its right: the phrases as the page's first OCR found them."""
    img = Image.new("L", (1100, 260), 236)
    draw = ImageDraw.Draw(img)
    small, big = ImageFont.truetype(SANS, 18), ImageFont.truetype(SANS, 40)
    draw.text((40, 20), "CURP", font=small, fill=90)
    draw.text((40, 44), "Personal No.", font=small, fill=90)
    draw.text((40, 76), CURP, font=big, fill=25)
    draw.rectangle((860, 60, 1080, 250), fill=170)
    found = [
        _phrase("CURP", (40, 22, 92, 38), 0),
        _phrase("Personal No.", (40, 46, 150, 64), 1),
    ]
    words = tuple(OcrWord(p.text, 0.9, p.left, p.top, p.right - p.left, 18, (1, 1, i)) for i, p in
                  enumerate(found))  # fmt: skip
    page = _rendered(img, words)
    return page, found


def test_the_value_under_a_label_printed_over_two_lines_is_under_its_last_line() -> None:
    _, found = _page()
    value = _phrase("TOAV980110HMNR", (40, 80, 420, 118), 2)
    assert value_below([*found, value], found[0]) is value


def test_a_curp_read_cut_short_is_read_again_whole(engines) -> None:  # type: ignore[no-untyped-def]
    page, found = _page()
    cut = _phrase("TOAV980110HMNR", (40, 80, 470, 118), 2)  # 14 of 18 characters
    reading = settle_curp(page, engines.ocr, [*found, cut], found[0], EVIDENCE)
    assert reading.value == CURP


def test_a_curp_box_stretched_over_the_portrait_is_read_as_a_block(engines) -> None:  # type: ignore[no-untyped-def]
    page, found = _page()
    stretched = _phrase("TOAV9801 10HM IS lo", (40, 78, 1080, 250), 2)
    reading = settle_curp(page, engines.ocr, [*found, stretched], found[0], EVIDENCE)
    assert reading.value == CURP


NAMED = curp_evidence.Evidence(
    names=(("VÍCTOR", "TORRES", "ACOSTA"),),
    birth_dates=(dt.date(1998, 1, 10),),
    sexes=("H",),
    states=("MN",),
)


def test_a_curp_too_mangled_to_parse_is_placed_by_the_evidence() -> None:
    # passport_blind seed 9701 case 4: RACN051107HCCMRXA2 read "RACNOS! 107HCC", its label
    # "jJuP": no phrase parsed as a CURP and none was near a label, so nothing was re-read
    phrases = [
        _phrase("MEXICANA", (40, 80, 300, 118), 2),
        _phrase("TOAVS80 1 10HMN", (340, 80, 700, 118), 2),
        _phrase("10 ENE 1998", (40, 140, 300, 178), 3),
    ]
    assert located_by_evidence(phrases, NAMED) is phrases[1]
    assert located_by_evidence(phrases[::2], NAMED) is None


def test_a_curp_running_onto_a_shaded_patch_is_read_on_flattened_paper(engines) -> None:  # type: ignore[no-untyped-def]
    # passport_blind seed 9701 cases 14, 17, 28: the CURP's last glyphs printed over the
    # grey ghost portrait were read 8O as EO, 03 as OS, 07 as OZ until the paper's shading
    # was divided out of the re-read crop
    img = Image.new("L", (1100, 200), 236)
    draw = ImageDraw.Draw(img)
    draw.rectangle((330, 40, 700, 190), fill=150)  # the ghost portrait, under the last glyphs
    draw.text((40, 76), CURP, font=ImageFont.truetype(SANS, 36), fill=25)
    page = _rendered(img)
    mangled = _phrase("TOAVS80 1 10HMN", (40, 80, 360, 118), 2)
    reading = settle_curp(page, engines.ocr, [mangled], None, NAMED)
    assert reading.value == CURP


def _bilingual_page() -> document.Page:
    """``CURP`` over ``Personal No.``, the CURP printed larger under them, a grey portrait
    close to its right (passport_blind seed 9801 cases 35, 290)."""
    img = Image.new("L", (1100, 260), 236)
    draw = ImageDraw.Draw(img)
    small, big = ImageFont.truetype(SANS, 18), ImageFont.truetype(SANS, 40)
    draw.text((40, 20), "CURP", font=small, fill=90)
    draw.text((40, 44), "Personal No.", font=small, fill=90)
    draw.text((40, 76), CURP, font=big, fill=25)
    draw.rectangle((600, 40, 900, 250), fill=150)
    return _rendered(img)


def test_a_curp_read_only_from_its_middle_is_read_again_from_its_label_edge(engines) -> None:  # type: ignore[no-untyped-def]
    # passport_blind seed 9801 case 35: under "CURP" / "Personal No." (read "Persoraj No",
    # no label pattern), SOOA801215HZSLCN08 was read as a speck "0" and "01215H": the line
    # under the label was the sub-label, and the fragment was re-read alone, from its middle
    page = _bilingual_page()
    found = [
        _phrase("CURP", (40, 22, 92, 38), 0),
        _phrase("Persoraj No", (40, 46, 150, 64), 1),
        _phrase("0", (38, 78, 120, 170), 2),  # a speck's box stretched over the next line
        _phrase("0110HM", (230, 80, 400, 118), 2),
    ]
    assert settle_curp(page, engines.ocr, found, found[0], EVIDENCE).value == CURP


def test_a_curp_read_from_its_middle_is_placed_by_the_evidence() -> None:
    # passport_blind seed 9801 case 120: VIVF740821HMCLRR01 read "IVF740821HMGERRO1", its
    # first letter dropped and its label unread: the evidence places it at the CURP's second
    # character, and the box to read again starts a character further left
    phrases = [
        _phrase("MEXICANA", (40, 80, 300, 118), 2),
        _phrase("AV980110HMN", (400, 80, 660, 118), 2),
    ]
    placed = located_by_evidence(phrases, NAMED)
    assert placed is not None and placed.left < 400 - 2 * (260 / 11) < placed.right


def test_a_curp_read_with_a_character_dropped_is_placed_by_the_evidence() -> None:
    # ine_2014 seed 9801 case 179: GOCS530115HSRNSL04 read "GOCS53015HSRNSLOA" (a 1 dropped)
    # beside "AÑO DE REGISTRO": the characters after the slip only agree one place further on
    line = _phrase("cure TOAV98010HMNRCCO2 AÑO DE REGISTRO 1995 02", (40, 80, 1000, 118), 2)
    assert located_by_evidence([line], NAMED) is line


def test_a_curp_beside_other_fields_is_read_again_as_a_block(engines) -> None:  # type: ignore[no-untyped-def]
    # ine_2014 seed 9801 case 32: "CURP VIGC500829MPLLRN03 AÑO DE REGISTRO 1995 02" read with
    # its check digit as S; re-read as a single line (with the next line's tops in the crop),
    # it came back garbled; as a block of lines it is read right
    img = Image.new("L", (1100, 140), 236)
    draw = ImageDraw.Draw(img)
    font, small = ImageFont.truetype(SANS, 28), ImageFont.truetype(SANS, 20)
    draw.text((40, 50), "CURP", font=small, fill=120)
    draw.text((110, 44), CURP, font=font, fill=25)
    draw.text((500, 50), "AÑO DE REGISTRO", font=small, fill=120)
    draw.text((700, 44), "1998 03", font=font, fill=25)
    draw.text((40, 100), "ESTADO 16   MUNICIPIO 053   SECCIÓN 2231", font=small, fill=120)
    page = _rendered(img)
    line = _phrase("cure TOAV980110HMNRCCOS AÑO DEREGsTRO 1998 03", (40, 44, 820, 100), 1)
    assert settle_curp(page, engines.ocr, [line], None, NAMED).value == CURP


class _DigitsOcr:
    """An OCR engine whose digits-only reading of any crop is ``digits``."""

    def __init__(self, digits: str) -> None:
        self.digits, self.calls = digits, 0

    def data(self, image, lang="spa", psm=6, whitelist=None, timeout=None):  # type: ignore[no-untyped-def]
        from pipeline.engines.tesseract import OcrText

        self.calls += 1
        assert whitelist == "0123456789"
        return OcrText((OcrWord(self.digits, 0.8, 10, 10, 300, 30, (1, 1, 1)),))


def test_a_check_digit_read_as_a_letter_is_read_again_as_a_digit() -> None:
    # passport_blind seed 9701 case 62 (seed 9801 cases 72, 245): the 9 ending the CURP read
    # as S, G, Q or Y by every reading allowed letters; the CURP agreed with all the evidence
    from pipeline.id.curp_reading import check_glyph_as_digit
    from pipeline.id.regions import Reread, RereadLine

    evidence = curp_evidence.Evidence(
        names=(("Francisco", "García", "Mendoza"),), birth_dates=(dt.date(1989, 6, 7),)
    )
    page = document.Page(image=np.full((200, 900, 3), 230, np.uint8), words=())
    box = _phrase("GAMF890607HCCRNROG", (40, 80, 700, 118), 2)
    again = Reread((RereadLine("GAMF890607HCCRNROG", (0.8,)),))
    reading = check_glyph_as_digit(page, box, _DigitsOcr("641589060713325209"), again, evidence)  # type: ignore[arg-type]
    assert reading is not None and reading.value == "GAMF890607HCCRNR09" and reading.repaired
    # a digit that does not make the check digit hold is no reading (an altered check digit)
    assert (
        check_glyph_as_digit(page, box, _DigitsOcr("641589060713325203"), again, evidence) is None
    )  # type: ignore[arg-type]
    # nor is a digit reading that lost glyphs: its last one may be another character's
    assert check_glyph_as_digit(page, box, _DigitsOcr("8906079"), again, evidence) is None  # type: ignore[arg-type]


def test_a_band_read_without_its_bold_line_is_read_row_by_row(engines) -> None:  # type: ignore[no-untyped-def]
    # passport_2008 seed 9901 cases 10 and 160: the page OCR skipped the CURP block, and the
    # band's block reading dropped the bold CURP between two small labels (CRP, LUGP); its
    # widest ink rows, read one by one, hold it
    from pipeline.id.curp_reading import _read_ink_rows
    from pipeline.id.regions import Reread

    img = Image.new("L", (760, 200), 226)
    draw = ImageDraw.Draw(img)
    small, bold = ImageFont.truetype(SANS, 15), ImageFont.truetype(BOLD, 30)
    draw.text((40, 16), "CURP", font=small, fill=120)
    draw.text((40, 50), CURP, font=bold, fill=20)
    draw.text((40, 150), "Lugar de nacimiento / Place of birth", font=small, fill=120)
    page = _rendered(img)
    again, box = _read_ink_rows(page, (0, 200, 0, 760), 34.0, 3, engines.ocr, None, Reread())
    assert box is not None and box.top >= 40 and box.bottom <= 100
    choice = curp_evidence.resolve(again.text.splitlines(), EVIDENCE)
    assert choice is not None and choice.check_ok and choice.curp == CURP


def test_a_curp_unread_under_its_two_line_label_is_read_where_it_is_printed(engines) -> None:  # type: ignore[no-untyped-def]
    # passport_blind seed 9901 case 8: CURP / Personal No. read, the value under them not at
    # all (no phrase there to re-read): the slot under the label's last line is read
    page, found = _page()
    reading = settle_curp(page, engines.ocr, found, found[0], EVIDENCE)
    assert reading.value == CURP


def test_a_value_the_ocr_merged_with_the_label_under_it_is_read_again_from_its_line() -> None:
    """passport_blind (seed 9901) case 44: the CURP line under ``CURP / Personal No.`` was
    read as one two-line phrase with the place-of-birth label under it (``O Lugar de
    nacimi``, 65 px tall). That row is not skipped as a label row: the region read again
    starts at the merged phrase's top, the CURP's line."""
    from pipeline.id.curp_reading import curp_regions
    from pipeline.text_lines import Phrase

    label = Phrase("Personal No.", 0.87, 805, 395, 899, 423, 10)
    found = [
        label,
        Phrase("O Lugar de nacimi", 0.74, 804, 424, 1099, 489, 12),
        Phrase("Place of birth", 0.9, 928, 473, 1029, 498, 13),
        Phrase("M", 0.88, 804, 476, 832, 528, 14),
    ]
    below = curp_regions(found, label, None)[1]
    assert below.top == 424 and below.bottom >= 489
    assert below.right - below.left >= 20 * 25  # a CURP wide


def test_a_curp_start_read_cut_short_is_where_to_read_again() -> None:
    """passport_2021 (seed 9917) case 120: only ``MOMS7`` of the CURP was read, its label
    not at all; the four initials and the year's first digit, all as the evidence predicts,
    place it (the re-read there must still hold its check digit). A word that only shares
    the initials, or a digit more than the evidence allows, does not."""
    from pipeline.text_lines import Phrase

    evidence = curp_evidence.Evidence(
        names=(("SALVADOR", "MONTAÑO", "MARTÍNEZ"),), birth_dates=(dt.date(1973, 6, 28),)
    )
    cut = Phrase("MOMS7", 0.92, 1224, 2030, 1367, 2061, 11)
    others = [
        Phrase("MEXICANA", 0.96, 698, 2036, 902, 2067, 11),
        Phrase("MOMS", 0.9, 0, 0, 90, 20, 1),
    ]
    assert located_by_evidence([*others, cut], evidence) is cut
    assert located_by_evidence([*others, Phrase("MOMS8", 0.9, 0, 0, 90, 20, 2)], evidence) is None
