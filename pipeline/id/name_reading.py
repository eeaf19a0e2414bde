"""Names on a page and against the MRZ: the INE's name block and the passport's name lines,
their reconciliation with a valid MRZ (spacing, order, accents, cut words), and the Ñ a
check-digit-valid CURP confirms.
"""

from __future__ import annotations

import re

from models.mrz import MrzResult
from models.results import Reading, Source
from pipeline import curp as curp_rules
from pipeline import mrz as mrz_rules
from pipeline import names
from pipeline.id import templates
from pipeline.id.common import NONE, bounded, curp_text, from_mrz, mrz_confidence
from pipeline.id.curp_reading import curp_evidence
from pipeline.id.curp_values import curp_check_ok
from pipeline.id.labels import beside_label, block_below, row_of, value_below
from pipeline.id.name_parts import (
    clean_name,
    complete_cut_word,
    lines_the_curp_confirms,
    looks_like_label,
    printed_words,
    split_mrz_names,
    split_name_lines,
    split_surnames,
    with_printed_accents,
)
from pipeline.text_lines import Phrase


def enye_from_curp(fields: dict[str, Reading]) -> None:
    """Names whose Ñ the OCR (or the MRZ) lost get it back where a check-digit-valid CURP
    that agrees with their initials has an X for their first inner consonant; a Ñ read
    there (a mark misjudged) where the CURP has another letter is an N."""
    curp = fields.get("curp", NONE)
    parts = {k: fields.get(k, NONE) for k in curp_rules.CONSONANT_POSITIONS}
    if not curp.present or not curp_check_ok(str(curp.value)) or not parts["nombre"].present:
        return
    value = str(curp.value)
    initials = curp_rules.agreement(
        value,
        str(parts["nombre"].value),
        str(parts["primer_apellido"].value or ""),
        str(parts["segundo_apellido"].value or ""),
        None,
        None,
        None,
    )["initials"]
    if not initials:
        return
    for name, position in curp_rules.CONSONANT_POSITIONS.items():
        read = parts[name]
        if read.present and read.value:
            given = name == "nombre"
            fixed = curp_rules.restore_enye(str(read.value), value[position], given=given)
            fixed = curp_rules.drop_unconfirmed_enye(fixed, value[position], given=given)
            if fixed != read.value:
                fields[name] = read.model_copy(update={"value": fixed, "repaired": True})


def _reorder_surnames(
    fields: dict[str, Reading], mrz_parts: dict[str, str], words: list[str], mrz: MrzResult
) -> None:
    """Printed surnames holding the MRZ's words in another order (two printed lines read
    interleaved) take the MRZ's order and split, with the printed accents: printed words
    the MRZ witnesses."""
    first, second = fields.get("primer_apellido", NONE), fields.get("segundo_apellido", NONE)
    if not first.present or "primer_apellido" not in mrz_parts:
        return
    printed = f"{first.value or ''} {second.value or ''}"
    wanted = f"{mrz_parts['primer_apellido']} {mrz_parts.get('segundo_apellido', '')}"
    a, b = names.comparable(printed).split(), names.comparable(wanted).split()
    if a != b and sorted(a) == sorted(b):
        conf = min(r.confidence for r in (first, second) if r.present)
        for name in ("primer_apellido", "segundo_apellido"):
            value = with_printed_accents(mrz_parts.get(name, ""), words)
            read = Reading(value=value, confidence=conf, source=first.source)
            fields[name] = read.witnessed(Source.MRZ, mrz_confidence(mrz))


def fill_names_from_mrz(
    fields: dict[str, Reading], mrz: MrzResult | None, found: list[Phrase]
) -> None:
    """Name parts the print lacks, from the MRZ, with the accents of a printed word that
    folds to each of its words (``PENA`` -> ``PEÑA``)."""
    if mrz is None:
        return
    words = printed_words(found)
    for name, value in split_mrz_names(mrz, curp_text(fields.get("curp", NONE))).items():
        if fields.get(name, NONE).present or not (value or mrz.valid):
            continue
        spelled = with_printed_accents(value, words)
        if name == "nombre" and mrz.names_may_be_cut:
            spelled = complete_cut_word(spelled, words)
        fields[name] = _accented(from_mrz(spelled, mrz), value)


def names_agree(fields: dict[str, Reading], wanted: dict[str, str], mrz: MrzResult) -> bool:
    """Every name part of ``wanted`` (the MRZ's) is read in ``fields`` and agrees with it
    (spacing aside; a longer print where the MRZ truncated)."""
    for name, value in wanted.items():
        read = fields.get(name, NONE)
        if not read.present and value:
            return False
        text = str(read.value or "")
        a, b = (names.comparable(x).replace(" ", "") for x in (text, value))
        if a != b and not longer_same_name(text, value, mrz):
            return False
    return True


#: the widest gap (in label heights) between name lines: one empty line, no second surname
NAME_LINE_GAP = 3.6


def find_names_ine(
    found: list[Phrase], labels: dict[str, Phrase], curp: Reading
) -> dict[str, Reading]:
    """Primer apellido, segundo apellido and nombre(s) under the NOMBRE label."""
    label = labels.get("nombre")
    if label is None:
        return {}
    block: list[list[Phrase]] = []
    # an empty line where a second surname would be: a wider gap than in an address
    template = templates.load(templates.INE_FRONT)
    stop = template.any_label
    others = [p for name, p in labels.items() if name != "nombre"]
    for phrase in block_below(found, label, stop, limit=3, gap=NAME_LINE_GAP, other_labels=others):
        if all(phrase is not q for row in block for q in row):  # not already in a row
            block.append(row_of(found, phrase, stop))
    read = [
        (clean_name(" ".join(p.text for p in row)), row) for row in block if row[0] is not label
    ]
    merged = clean_name(beside_label(label, template.labels["nombre"]))
    below = [line for line, _ in read if line]
    readings = [below] if below else []
    if merged:  # the OCR merged the first line into the label's phrase: NOMBRE BRISEÑO
        readings.append([merged, *below])
    if not readings:
        return {}
    lines = lines_the_curp_confirms(readings, curp_text(curp))
    if not lines:
        return {}
    rows = [row for line, row in read if line in lines] + ([[label]] if merged in lines else [])
    conf = bounded(min(p.confidence for row in rows for p in row))
    parts = split_name_lines(lines, curp_text(curp))
    return {k: Reading(value=v, confidence=conf, source=Source.NEAR) for k, v in parts.items()}


def reconcile_with_mrz(
    fields: dict[str, Reading], mrz: MrzResult | None, found: list[Phrase]
) -> None:
    """Check the printed names against a fully valid MRZ (OCR-B, read apart): equal once
    folded, the printed spelling is confirmed (it carries the accents and Ñ); equal but
    for spaces (``DELOSSANTOS``), the MRZ's spacing with the printed accents; a part the
    print lacks comes from the MRZ with the accents of a printed word that folds to it."""
    if mrz is None or not mrz.valid or not mrz.surnames.strip():
        return
    words = printed_words(found)
    curp = curp_text(fields.get("curp", NONE))
    mrz_parts = split_mrz_names(mrz, curp)
    _reorder_surnames(fields, mrz_parts, words, mrz)
    for name, value in mrz_parts.items():
        read = fields.get(name, NONE)
        if not value or not read.present:
            continue
        a, b = names.comparable(str(read.value)), names.comparable(value)
        if a == b or longer_same_name(str(read.value), value, mrz):
            fields[name] = read.witnessed(Source.MRZ, mrz_confidence(mrz))
        elif a.replace(" ", "") == b.replace(" ", ""):
            spaced = with_printed_accents(value, words)
            fields[name] = read.model_copy(update={"value": spaced}).witnessed(
                Source.MRZ, mrz_confidence(mrz)
            )


def passport_names(
    found: list[Phrase], labels: dict[str, Phrase], curp: str | None, mrz: MrzResult | None
) -> dict[str, Reading]:
    """The passport's names: printed by their labels, checked against a valid MRZ (OCR-B).
    Equal once folded: the printed spelling (accents, Ñ), confirmed. Different: the MRZ's,
    with the accents of a printed word that folds to it, when the print is missing, is a
    label misread, differs by an OCR slip (one or two characters) or disagrees with the
    CURP while the MRZ agrees; else the print (a genuinely different MRZ name then shows
    as MRZ_INCONSISTENT)."""
    prefix = curp_evidence({}, mrz).prefix
    printed = printed_passport_names(found, labels, curp or prefix)
    if mrz is None or not mrz.valid or not mrz.surnames.strip():
        return printed
    words = printed_words(found)
    out = dict(printed)
    without_fillers = split_mrz_names(_filler_misreads_dropped(mrz), curp)
    for name, value in split_mrz_names(mrz, curp).items():
        read = printed.get(name)
        text = str(read.value) if read is not None else ""
        same = {names.comparable(value), names.comparable(without_fillers.get(name, value))}
        if read is not None and (
            names.comparable(text) in same or longer_same_name(text, value, mrz)
        ):
            out[name] = read.witnessed(Source.MRZ, mrz_confidence(mrz))
        elif (value or name == "segundo_apellido") and (
            read is None or _mrz_spelling_wins(name, text, value, curp)
        ):
            out[name] = _mrz_reading(value, words, mrz)
    return out


def _filler_misreads_dropped(mrz: MrzResult) -> MrzResult:
    """The MRZ with the X or K read beside its names' fillers dropped
    (:func:`pipeline.mrz.filler_readings`): a printed name equal to it is confirmed, not
    replaced by the MRZ's spelling (``VILLASENOR<KOCHOA<<NOE<X`` read for
    ``VILLASENOR<OCHOA<<NOE<<``: the names line has no check digit)."""
    field = mrz_rules.filler_readings(mrz.names_field)[-1]
    surnames, given = mrz_rules.split_names(field)
    return mrz.model_copy(update={"surnames": surnames, "given_names": given})


def _mrz_spelling_wins(name: str, printed: str, mrz_name: str, curp: str | None) -> bool:
    """Between a printed name and a different MRZ name, the MRZ's is the better reading."""
    if looks_like_label(printed, templates.load(templates.PASSPORT_PAGE).name_stop_words):
        return True
    a, b = (names.comparable(x).replace(" ", "") for x in (printed, mrz_name))
    if names.edit_distance(a, b) <= 2:
        return True  # an OCR slip of the print: the OCR-B zone reads better
    if curp and curp_check_ok(curp):
        return curp_rules.part_agrees(name, mrz_name, curp) and not curp_rules.part_agrees(
            name, printed, curp
        )
    return False


def _mrz_reading(value: str, words: list[str], mrz: MrzResult) -> Reading:
    return _accented(from_mrz(with_printed_accents(value, words), mrz), value)


def _accented(reading: Reading, unaccented: str) -> Reading:
    """An MRZ name spelled with the accents of printed words that fold to its words: those
    words, found anywhere on the page, witness it (``PATTERN``). The confidence stays the
    MRZ's: the print's words vouch for the accents, not for every word of the name."""
    if reading.value == unaccented:
        return reading
    return reading.model_copy(update={"witnesses": (*reading.witnesses, Source.PATTERN)})


def longer_same_name(printed: str, mrz_name: str, mrz: MrzResult) -> bool:
    """The printed name is the MRZ's, only longer: the MRZ's names field was full, so the
    MRZ truncated it (``MrzResult.names_may_be_cut``)."""
    a, b = names.comparable(printed), names.comparable(mrz_name)
    return mrz.names_may_be_cut and len(a) > len(b) > 0 and a.startswith(b)


def printed_passport_names(
    found: list[Phrase], labels: dict[str, Phrase], curp: str | None
) -> dict[str, Reading]:
    stop = templates.load(templates.PASSPORT_PAGE).any_label
    out: dict[str, Reading] = {}
    for name, key in (("apellidos", "apellidos"), ("nombre", "nombres")):
        label = labels.get(key)
        if label is None:
            continue
        below = value_below(found, label)
        if below is not None and not re.search(stop, below.key):
            value = clean_name(below.text)
            if value:
                out[name] = Reading(
                    value=value, confidence=bounded(below.confidence), source=Source.NEAR
                )
    surnames = out.pop("apellidos", None)
    if surnames is not None and surnames.value:
        first, second = split_surnames(str(surnames.value), curp)
        out["primer_apellido"] = surnames.model_copy(update={"value": first})
        out["segundo_apellido"] = surnames.model_copy(update={"value": second})
    return out


def names_line_the_print_confirms(mrz: MrzResult | None, found: list[Phrase]) -> MrzResult | None:
    """A passport MRZ's names line, which no check digit guards, read twice: by the MRZ
    reader and in the page's own OCR (its phrases). Where the two differ, the reading whose
    every name word is printed on the page is taken (``MENDOZA<DE<LEON<<JOSE<LUIS`` over
    the MRZ reader's ``MENDOZAKDEKLEON<<JOSEKXLUIS``, its fillers read as K); the second line,
    with its check digits, stays the MRZ reader's. Else ``mrz`` itself."""
    if mrz is None or not mrz.valid or len(mrz.lines) != 2:
        return mrz
    printed = {names.comparable(w) for w in printed_words(found)}

    def confirmed(result: MrzResult) -> bool:
        words = f"{result.surnames} {result.given_names}".split()
        return bool(words) and all(names.comparable(w) in printed for w in words)

    if confirmed(mrz):
        return mrz
    width = len(mrz.lines[0])
    for phrase in found:
        line = mrz_rules.clean_line(phrase.text)
        if len(line) < width - 12 or line[:5] != mrz.lines[0][:5] or "<<" not in line:
            continue
        line = line[:width].ljust(width, "<")
        other = mrz_rules.parse_mrz([line, mrz.lines[1]], method=mrz.method)
        if other is not None and other.valid and confirmed(other):
            return mrz.model_copy(
                update={"surnames": other.surnames, "given_names": other.given_names,
                        "lines": [line, mrz.lines[1]], "method": f"{mrz.method}+names:page"}
            )  # fmt: skip
    return mrz
