"""Names as text: name lines split into primer/segundo apellido and nombre(s), surnames split
with particles kept, the MRZ's names split, printed accents carried onto MRZ spellings, and
words that are labels rather than names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from models.mrz import MrzResult
from pipeline import curp as curp_rules
from pipeline import names, text_lines
from pipeline.id.curp_values import curp_check_ok
from pipeline.text_lines import Phrase


def split_mrz_names(mrz: MrzResult, curp: str | None = None) -> dict[str, str]:
    """Split the MRZ's surnames into primer/segundo apellido (particles kept with their
    word, the CURP's initials deciding where a passport's surnames split)."""
    out = {"nombre": mrz.given_names.strip()}
    if mrz.surnames.strip():
        prefix = mrz.curp_prefix if mrz.curp_prefix and len(mrz.curp_prefix) >= 3 else None
        first, second = split_surnames(mrz.surnames, curp or prefix)
        out["primer_apellido"], out["segundo_apellido"] = first, second
    return out


def split_name_lines(lines: list[str], curp: str | None) -> dict[str, str]:
    """Assign name lines to primer apellido / segundo apellido / nombre(s).

    Three lines are the INE's order; fewer are split with the CURP's initials.

    >>> split_name_lines(["GONZÁLEZ", "PÉREZ", "MARÍA JOSÉ"], None)["nombre"]
    'MARÍA JOSÉ'
    >>> split_name_lines(["GONZÁLEZ PÉREZ MARÍA JOSÉ"], "GOPM900315MDFNRR08")["segundo_apellido"]
    'PÉREZ'
    """
    if len(lines) >= 3:
        return {
            "primer_apellido": lines[0],
            "segundo_apellido": lines[1],
            "nombre": " ".join(lines[2:]),
        }
    tokens = " ".join(lines).split()
    if len(lines) == 2 and len(lines[0].split()) == 1 and curp and curp[2:3] == "X":
        return {"primer_apellido": lines[0], "segundo_apellido": "", "nombre": lines[1]}
    if len(lines) == 2:
        return _two_name_lines(lines, curp)
    groups = particle_groups(" ".join(tokens))  # DE LA TORRE is one surname
    if len(groups) < 2:
        return {"primer_apellido": " ".join(tokens)}
    cut = 1 if curp and curp[2:3] == "X" else 2
    cut = min(cut, len(groups) - 1)
    return {
        "primer_apellido": _join(groups[:1]),
        "segundo_apellido": _join(groups[1:cut]),
        "nombre": _join(groups[cut:]),
    }


def lines_the_curp_confirms(readings: list[list[str]], curp: str | None) -> list[str]:
    """The name lines among ``readings`` of one block (the first is the block as read; the
    others, e.g. with a line the OCR merged into the label's phrase) that a check-digit-valid
    CURP agrees with (:func:`split_name_lines`; its initials and inner consonants): the
    first reading it agrees with whole, else the first one whose leading lines alone it
    agrees with (the lines after them are no names: a label read with a slip, an address
    line taken into a block that a missing second surname left short). Else, or without
    such a CURP, the block as read.

    >>> lines_the_curp_confirms([["ORTIZ", "ELENA", "JOMICILIO"]], "OIXE750522MTCRXL07")
    ['ORTIZ', 'ELENA']
    >>> lines_the_curp_confirms([["LOPEZ", "ROBERTO"], ["BRISEÑO", "LOPEZ", "ROBERTO"]],
    ...                         "BILR800101HDFRPB04")
    ['BRISEÑO', 'LOPEZ', 'ROBERTO']
    >>> lines_the_curp_confirms([["ORTIZ", "ELENA", "JOMICILIO"]], None)
    ['ORTIZ', 'ELENA', 'JOMICILIO']
    """
    if not curp or not curp_check_ok(curp):
        return readings[0]
    for lines in readings:
        if _curp_agrees(curp, split_name_lines(lines, curp)):
            return lines
    for lines in readings:
        for count in range(len(lines) - 1, 0, -1):
            if _curp_agrees(curp, split_name_lines(lines[:count], curp)):
                return lines[:count]
    return readings[0]


def _curp_agrees(curp: str, parts: dict[str, str]) -> bool:
    """The CURP's initials and inner consonants agree with the name parts."""
    found = curp_rules.agreement(
        curp,
        parts.get("nombre", ""),
        parts.get("primer_apellido", ""),
        parts.get("segundo_apellido") or None,
        None,
        None,
        None,
    )
    return bool(found["initials"] and found["consonants"])


def _two_name_lines(lines: list[str], curp: str | None) -> dict[str, str]:
    """Two name lines: a check-digit-valid CURP tells a compound single surname
    (``DE LOS SANTOS`` / ``JOSE ANTONIO``, no second surname: X) and a second surname
    whose given-name line went unread; else the first line holds the surnames.

    >>> _two_name_lines(["DE LA TORRE", "JOSE LUIS"], "TOXL520602HDFRXS06")["primer_apellido"]
    'DE LA TORRE'
    >>> _two_name_lines(["MUÑOZ", "CRUZ"], "MUCA700107HHGXRN69")
    {'primer_apellido': 'MUÑOZ', 'segundo_apellido': 'CRUZ'}
    >>> _two_name_lines(["GARCIA LOPEZ", "ANA"], None)["segundo_apellido"]
    'LOPEZ'
    """
    first, given = lines
    if curp and curp_check_ok(curp) and curp_rules.part_agrees("primer_apellido", first, curp):
        if curp[2] == "X" and curp_rules.part_agrees("nombre", given, curp):
            return {"primer_apellido": first, "segundo_apellido": "", "nombre": given}
        if curp_rules.part_agrees("segundo_apellido", given, curp) and not (
            curp_rules.part_agrees("nombre", given, curp)
        ):
            return {"primer_apellido": first, "segundo_apellido": given}
    primer, segundo = split_surnames(first, curp)
    return {"primer_apellido": primer, "segundo_apellido": segundo, "nombre": given}


def clean_name(text: str) -> str:
    """Keep letters, spaces, apostrophes and hyphens of an OCR'd name line, upper case;
    particles the OCR glued together are split again.

    >>> clean_name("DELA TORRE 1")
    'DE LA TORRE'
    """
    kept = re.sub(r"[^A-Za-zÁÉÍÓÚÜÑáéíóúüñ' \-]", "", text).upper()
    kept = re.sub(r"\bDEL(A|AS|OS)\b", r"DE L\1", kept)
    return re.sub(r"\s+", " ", kept).strip(" -'")


def looks_like_label(text: str, stop_words: Sequence[str]) -> bool:
    """A word of ``text`` is one of a layout's label ``stop_words`` up to two OCR slips (five
    letters or more); ``RN`` read as ``M`` counts as one slip.

    >>> stop = ("NACIONALIDAD", "NATIONALITY", "APELLIDOS", "SURNAME")
    >>> looks_like_label("MACIONALIDAD NATONAITY", stop), looks_like_label("DE LA FUENTE", stop)
    (True, False)
    >>> looks_like_label("Sumames", stop), looks_like_label("SAMANIEGO", stop)
    (True, False)
    """
    for word in names.comparable(text).split():
        if len(word) >= 5 and any(
            names.edit_distance(_rn_as_m(word), _rn_as_m(label), limit=3)
            <= (1 if len(word) < 7 else 2)
            for label in stop_words
        ):
            return True
    return False


def _rn_as_m(word: str) -> str:
    """The word with ``RN`` written ``M``: OCR reads the one as the other."""
    return word.replace("RN", "M")


def printed_words(found: list[Phrase]) -> list[str]:
    """The words of the printed zone (MRZ lines left out), cleaned as names."""
    return [w for p in found if "<" not in p.text for w in clean_name(p.text).split()]


def complete_cut_word(name: str, printed_words: list[str]) -> str:
    """An MRZ name whose last word the MRZ's width cut (``VICTOR MANU``) completed by the
    one printed word that starts with it, when there is exactly one (and the cut word keeps
    two letters at least: one letter starts too many words).

    >>> complete_cut_word("VICTOR MANU", ["FLORES", "VICTOR", "MANUEL", "CDMX"])
    'VICTOR MANUEL'
    >>> complete_cut_word("ANA MA", ["MARIA", "MARTA"]), complete_cut_word("ANA M", ["MARIA"])
    ('ANA MA', 'ANA M')
    """
    head, _, last = name.rpartition(" ")
    key = names.comparable(last)
    longer = {w for w in printed_words if len(names.comparable(w)) > len(key) >= 2
              and names.comparable(w).startswith(key)}  # fmt: skip
    if len(longer) != 1:
        return name
    return f"{head} {longer.pop()}".strip()


def with_printed_accents(mrz_name: str, printed_words: list[str]) -> str:
    """Each word of an MRZ name (no accents, Ñ as N) replaced by the printed word that folds
    to it, when one exists: the printed zone carries the diacritics.

    >>> with_printed_accents("CRUZ ORDONEZ", ["APELLIDOS", "CRUZ", "ORDÓÑEZ", "JESÚS"])
    'CRUZ ORDÓÑEZ'
    >>> with_printed_accents("PENA", ["PENCA", "PEÑAS"])
    'PENA'

    Only diacritics are put back: an abbreviation printed anywhere (``MA``, which compares as
    MARÍA) does not replace the MRZ's word.

    >>> with_printed_accents("MARIA GUADALUPE", ["MA", "MARÍA", "GUADALUPE"])
    'MARÍA GUADALUPE'
    """

    def unaccented(word: str) -> str:
        return names.normalise(word).replace("Ñ", "N")

    by_fold: dict[str, str] = {}
    for word in printed_words:
        key = unaccented(word)
        if word != key and key not in by_fold:
            by_fold[key] = word
    return " ".join(by_fold.get(unaccented(w), w) for w in mrz_name.split())


PARTICLES = {"DE", "DEL", "LA", "LAS", "LOS", "Y", "MC", "MAC", "VAN", "VON", "DA", "DI"}


def split_surnames(surnames: str, curp: str | None) -> tuple[str, str]:
    """Split "PRIMER SEGUNDO" surnames printed together; particles stay with the word they
    precede (DE LA CRUZ is one surname); the CURP's 3rd letter (the second surname's
    initial) decides between the possible cuts.

    >>> split_surnames("DE LA CRUZ BRISEÑO", None)
    ('DE LA CRUZ', 'BRISEÑO')
    >>> split_surnames("GARCIA DEL RIO LOPEZ", "GALR800101HDFRPS09")
    ('GARCIA DEL RIO', 'LOPEZ')
    >>> split_surnames("SMITH", None)
    ('SMITH', '')
    """
    groups = particle_groups(surnames)
    cuts = list(range(1, len(groups)))
    if not cuts:
        return " ".join(w for g in groups for w in g), ""
    if curp and len(curp) > 2:
        for cut in cuts:
            second = [w for g in groups[cut:] for w in g]
            initial = next(
                (text_lines.fold(w)[0] for w in second if text_lines.fold(w) not in PARTICLES), ""
            )
            if initial == curp[2]:
                return _join(groups[:cut]), _join(groups[cut:])
    return _join(groups[:1]), _join(groups[1:])


def particle_groups(text: str) -> list[list[str]]:
    """The words of ``text`` grouped so that particles stay with the word they precede.

    >>> particle_groups("DE LA TORRE JOSE LUIS")
    [['DE', 'LA', 'TORRE'], ['JOSE'], ['LUIS']]
    """
    groups: list[list[str]] = []
    pending: list[str] = []
    for word in text.split():
        pending.append(word)
        if text_lines.fold(word) not in PARTICLES:
            groups.append(pending)
            pending = []
    if pending and groups:
        groups[-1].extend(pending)
    elif pending:
        groups.append(pending)
    return groups


def _join(groups: list[list[str]]) -> str:
    return " ".join(w for g in groups for w in g)
