"""ICAO 9303 machine-readable zones (TD1, TD2, TD3) from noisy OCR text, checked and repaired.

The parser picks the lines that look like an MRZ among any OCR text, aligns them to the format's
length, validates every check digit and the composite, and uses the check digits to undo the
usual OCR confusions (O/0, I/1, S/5, B/8, Z/2, G/6, D/0, Q/0) in the fields they protect. Every
changed character is listed in ``MrzResult.repairs``. It never raises on arbitrary text: it
returns ``None`` when nothing looks like an MRZ.

Here: finding the lines, trying each format and alignment, the fields and the result, and
composing MRZs (tests, fixtures). The check digits and the formats' layouts are in
:mod:`pipeline.mrz_layout`, the repairs by check digit in :mod:`pipeline.mrz_repair`.

ICAO's TD1 specimen:

>>> r = parse_mrz('''I<UTOD231458907<<<<<<<<<<<<<<<
... 7408122F1204159UTO<<<<<<<<<<<6
... ERIKSSON<<ANNA<MARIA<<<<<<<<<<''', today=dt.date(2024, 1, 1))
>>> r.format, r.document_number, r.birth_date, r.sex, r.expiry_date, r.valid
('TD1', 'D23145890', datetime.date(1974, 8, 12), 'F', datetime.date(2012, 4, 15), True)
>>> r.surnames, r.given_names
('ERIKSSON', 'ANNA MARIA')

ICAO's TD3 specimen, read with typical OCR noise (spaces, « for <, O for 0 in the birth date):

>>> r = parse_mrz('''P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<
... L898902C36UTO74O8122F1204159ZE184226B<<<<<10''', today=dt.date(2024, 1, 1))
>>> r.format, r.document_number, r.nationality, r.optional_data, r.valid
('TD3', 'L898902C3', 'UTO', 'ZE184226B', True)
>>> [(x.field, x.read, x.repaired, x.validated) for x in r.repairs]
[('birth_date', 'O', '0', True)]
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Sequence

from models.mrz import MrzFormat, MrzRepair, MrzResult
from pipeline.mrz_layout import (
    COUNTRY_CODES,
    LAYOUTS,
    MRZ_CHARS,
    Layout,
    check_digit,
    composite_ok,
    field_ok,
    yymmdd,
)
from pipeline.mrz_repair import (
    apply,
    force_alphabet,
    repair_checked_fields,
    repair_composite,
    repair_country_codes,
)

_FILLER_LOOKALIKES = str.maketrans({c: "<" for c in "«‹≪＜([{"})

#: format -> (number of lines, line length)
FORMATS: dict[MrzFormat, tuple[int, int]] = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}
_MAX_SLACK = 3  # how many characters too long or short a line may be read
_MAX_FILLER_SLACK = 8  # ... when the difference can sit in a run of fillers


# ---------------------------------------------------------------- finding lines


def clean_line(raw: str) -> str:
    """Upper-case, map look-alikes of < to <, drop spaces and characters foreign to an MRZ.

    >>> clean_line(" p<uto ERIKSSON«<ANNA ‹MARIA<<<KK<<")
    'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<'
    """
    line = raw.upper().translate(_FILLER_LOOKALIKES)
    line = "".join(c for c in line if c in MRZ_CHARS)
    return _fix_k_fillers(line)


def _fix_k_fillers(line: str) -> str:
    """Tesseract often reads the filler < as K: a K after three fillers is a filler too.

    A K after one or two < is kept: it may begin a name (ANNA<K<, SMITH<<K).

    >>> _fix_k_fillers("DIL<<<<KK<K<<"), _fix_k_fillers("SMITH<<K<<<<")
    ('DIL<<<<<<<<<<', 'SMITH<<K<<<<')
    """
    chars = list(line)
    for i, c in enumerate(chars):
        if c == "K" and i >= 3 and chars[i - 3 : i] == ["<", "<", "<"]:
            chars[i] = "<"
    return "".join(chars)


def _looks_like_mrz(line: str) -> bool:
    """A cleaned line that could be part of an MRZ: long enough, fillers or many digits."""
    short = len(line) < 30 - _MAX_SLACK
    if len(line) < 20 or (short and not line.endswith("<<") and "<<<" not in line):
        return False
    digits = sum(c.isdigit() for c in line)
    return "<" in line or digits >= 8


def candidate_lines(text: str | Iterable[str]) -> list[str]:
    """The cleaned lines of ``text`` that look like MRZ lines, in order.

    >>> candidate_lines("REPUBLICA\\nP<MEX  GARCIA<<ANA<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\\nfoo")
    ['P<MEXGARCIA<<ANA<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<']
    """
    raw_lines = text.splitlines() if isinstance(text, str) else list(text)
    cleaned = (clean_line(str(raw)) for raw in raw_lines)
    return [line for line in cleaned if _looks_like_mrz(line)]


def _alignments(line: str, length: int) -> list[str]:
    """Ways to bring a line read too long or too short to ``length``: trim/pad ends, fillers.

    Tesseract often drops or adds some < in a long filler run, so a line with such a run may
    be off by more than the usual slack: only filler-run edits are tried then.
    """
    diff = len(line) - length
    if diff == 0:
        return [line]
    out = []
    if abs(diff) <= _MAX_SLACK:
        out += [line[:length], line[diff:]] if diff > 0 else [line + "<" * -diff]
    elif not _long_filler_run(line, abs(diff)):
        return []
    if diff > 0:
        for m in re.finditer(r"<{2,}", line):
            if m.end() - m.start() > diff:
                out.append(line[: m.start()] + line[m.start() + diff :])
    else:
        for m in re.finditer(r"<+", line):
            if m.end() < len(line):
                out.append(line[: m.start()] + "<" * -diff + line[m.start() :])
    return list(dict.fromkeys(out))


def _long_filler_run(line: str, diff: int) -> bool:
    """Does the line hold a run of at least 3 fillers, and is it off by at most 8?"""
    return diff <= _MAX_FILLER_SLACK and re.search(r"<{3,}", line) is not None


# ---------------------------------------------------------------- fields


def split_names(value: str) -> tuple[str, str]:
    """(surnames, given names) of an MRZ name field, words spaced.

    >>> split_names("ERIKSSON<<ANNA<MARIA<<<")
    ('ERIKSSON', 'ANNA MARIA')
    """
    surnames, _, given = value.rstrip("<").partition("<<")

    def words(part: str) -> str:
        return " ".join(w for w in part.split("<") if w)

    return words(surnames), words(given)


def sex_codes(document_type: str, issuing_country: str) -> frozenset[str]:
    """The sex codes an MRZ may print: ICAO's M, F and X, and on a Mexican voter card (TD1
    ``ID`` issued by MEX) the card's own H and M (a man is H, a woman M; not ICAO's M/F).

    >>> sorted(sex_codes("P", "MEX")), sorted(sex_codes("ID", "MEX"))
    (['F', 'M', 'X'], ['H', 'M', 'X'])
    """
    if document_type.replace("<", "") == "ID" and issuing_country.replace("<", "") == "MEX":
        return frozenset("HMX")
    return frozenset("MFX")


def _sex(value: str, document_type: str, issuing_country: str) -> str:
    return value if value in sex_codes(document_type, issuing_country) else ""


def _td1_overflow(number: str, check: str, optional: str) -> tuple[str, str, str]:
    """TD1 long document numbers: check position holds <, number continues in optional data."""
    if check != "<" or not optional or optional[0] == "<":
        return number, check, optional
    tail, _, rest = optional.partition("<")
    if len(tail) < 2:
        return number, check, optional
    return number.rstrip("<") + tail[:-1], tail[-1], rest


# ---------------------------------------------------------------- parse


def _parse_aligned(fmt: MrzFormat, raw: list[str], aligned: list[str], today: dt.date) -> MrzResult:
    """Parse lines already of the right length."""
    layout = LAYOUTS[fmt]
    lines = [list(line) for line in aligned]
    repairs: list[MrzRepair] = []
    force_alphabet(lines, layout, repairs)
    edits = repair_checked_fields(lines, layout)
    apply(lines, edits)
    if all(field_ok(lines, f) for f in layout.fields if f.check) and not composite_ok(
        lines, layout
    ):
        extra = repair_composite(lines, layout)
        edits += extra
        apply(lines, extra)
    return _result(fmt, layout, raw, lines, aligned, today)


def _result(
    fmt: MrzFormat,
    layout: Layout,
    raw: list[str],
    lines: list[list[str]],
    aligned: list[str],
    today: dt.date,
) -> MrzResult:

    def value(name: str) -> str:
        f = layout.field(name)
        return text[f.line][f.start : f.end]

    repair_country_codes(lines, layout)
    text = ["".join(line) for line in lines]
    checks = {f.name: field_ok(lines, f) for f in layout.fields if f.check}
    checks["composite"] = composite_ok(lines, layout)
    checks["structure"] = _structure_ok(fmt, value)
    repairs = _final_repairs(layout, lines, aligned, checks)
    number, optional = value("document_number"), value("optional_data")
    if fmt == "TD1":
        number, _, optional = _td1_overflow(number, text[0][14], optional)
    surnames, given = split_names(value("names"))
    optional_2 = value("optional_data_2") if fmt == "TD1" else ""
    return MrzResult(
        format=fmt,
        document_type=value("document_type").replace("<", ""),
        issuing_country=value("issuing_country").replace("<", ""),
        document_number=number.replace("<", ""),
        birth_date=yymmdd(value("birth_date"), "birth", today),
        sex=_sex(value("sex"), value("document_type"), value("issuing_country")),
        expiry_date=yymmdd(value("expiry_date"), "expiry", today),
        nationality=value("nationality").replace("<", ""),
        surnames=surnames,
        given_names=given,
        optional_data=optional.rstrip("<"),
        optional_data_2=optional_2.rstrip("<"),
        checks=checks,
        valid=all(checks.values()),
        repairs=repairs,
        raw_lines=raw,
        lines=text,
        confidence=sum(checks.values()) / len(checks),
    )


def _final_repairs(
    layout: Layout,
    lines: list[list[str]],
    aligned: list[str],
    checks: dict[str, bool],
) -> list[MrzRepair]:
    """Every position that differs from the aligned OCR reading, with its field's verdict."""
    owner = {}
    for f in layout.fields:
        owner.update({(f.line, i): f.name for i in range(f.start, f.end)})
        if f.check:
            owner[f.check] = f.name
    owner[layout.composite_at] = "composite"
    out = []
    for ln, line in enumerate(lines):
        for i, c in enumerate(line):
            if aligned[ln][i] == c:
                continue
            name = owner.get((ln, i), "filler")
            validated = checks.get(name, False) or (
                name not in checks and checks["composite"] and _in_composite(layout, ln, i)
            )
            out.append(
                MrzRepair(
                    field=name,
                    line=ln,
                    position=i,
                    read=aligned[ln][i],
                    repaired=c,
                    validated=validated,
                )
            )
    return out


#: document codes' first letter by format (ICAO 9303: P for passports, in TD3 only; A, C or I
#: for the card-sized TD1 and TD2; V for visas, MRV-A in TD3 and MRV-B in TD2)
DOCUMENT_CODES: dict[MrzFormat, str] = {"TD1": "ACI", "TD2": "ACIV", "TD3": "PV"}


def _structure_ok(fmt: MrzFormat, value: Callable[[str], str]) -> bool:
    """Fields shaped as ICAO 9303 requires: a document code of the format, numbers
    left-aligned (fillers only at the end), known country codes, a sex code, names of letters
    not starting with a filler."""
    code_ok = value("document_type")[:1] in DOCUMENT_CODES[fmt]
    number_ok = re.fullmatch(r"[A-Z0-9]+<*", value("document_number")) is not None
    codes_ok = all(
        value(name).replace("<", "") in COUNTRY_CODES for name in ("issuing_country", "nationality")
    )
    names = value("names")
    names_ok = (
        re.fullmatch(r"[A-Z<]+", names) is not None
        and not names.startswith("<")
        and names.rstrip("<").count("<<") <= 1  # one primary/secondary separator, then fillers
    )
    sexes = sex_codes(value("document_type"), value("issuing_country")) | {"<"}
    return code_ok and number_ok and codes_ok and names_ok and value("sex") in sexes


def _in_composite(layout: Layout, ln: int, i: int) -> bool:
    return any(ln == cl and a <= i < b for cl, a, b in layout.composite)


def _score(result: MrzResult, shift: int) -> tuple[float, ...]:
    """Rank candidate parses: fully valid first, then the largest share of checks holding,
    then the format needing the fewest inserted or removed characters (a TD2 line is not a TD3
    line with 8 fillers lost), then the fewest repairs."""
    share = sum(result.checks.values()) / max(1, len(result.checks))
    return (int(result.valid), share, -shift, -len(result.repairs))


def _windows(lines: Sequence[str]) -> Iterable[tuple[MrzFormat, list[str]]]:
    """Runs of consecutive candidate lines of each format's count and near its length. Lines
    that fit one format's length are not also cut or padded to another's: two lines read at 44
    characters are a TD3, never a TD2 with 8 fillers dropped from each (whose repairs could then
    validate by chance)."""
    for fmt, (count, _length) in FORMATS.items():
        for start in range(len(lines) - count + 1):
            window = list(lines[start : start + count])
            if all(_fits(fmt, i, line) for i, line in enumerate(window)) and _nearest(fmt, window):
                yield fmt, window


def _shift(fmt: MrzFormat, window: Sequence[str]) -> int:
    """How many characters the window's lines are read too long or short for ``fmt``. A names
    line read short with its fillers is padded, not shifted (:func:`_line_options`): it says
    nothing of the format, and counting it let a passport whose names line lost 10 fillers
    weigh TD2 (36) as near as TD3 (44) with its second line read whole at 44.

    >>> _shift("TD3", ["P<MEXGARCIA<<ANA<<<<", "N" * 44]), _shift("TD2", ["P<MEXGARCIA<<ANA<<<<", "N" * 44])
    (0, 8)
    """
    length = FORMATS[fmt][1]
    return sum(
        0 if _names_line(fmt, i) and line.endswith("<") and len(line) < length
        else abs(len(line) - length)
        for i, line in enumerate(window)
    )  # fmt: skip


def _nearest(fmt: MrzFormat, window: Sequence[str]) -> bool:
    """Is ``fmt`` within the usual slack of the best-fitting format of the window's size?

    >>> _nearest("TD2", ["P<MEX" + "<" * 39, "N" * 44]), _nearest("TD3", ["P<MEX" + "<" * 39, "N" * 44])
    (False, True)
    >>> _nearest("TD2", ["I<MEX" + "<" * 33, "N" * 40])  # as near one as the other
    True
    """
    same_size = [f for f, (count, _) in FORMATS.items() if count == len(window)]
    best = min(_shift(f, window) for f in same_size)
    return _shift(fmt, window) <= best + _MAX_SLACK


def _names_line(fmt: MrzFormat, index: int) -> bool:
    return index == (2 if fmt == "TD1" else 0)


def _fits(fmt: MrzFormat, index: int, line: str) -> bool:
    """Is ``line`` near the length of line ``index`` of ``fmt``? A names line may be short:
    OCR often drops some of its trailing fillers."""
    length = FORMATS[fmt][1]
    if _names_line(fmt, index) and line.endswith("<") and len(line) < length:
        return True
    diff = abs(len(line) - length)
    return diff <= _MAX_SLACK or _long_filler_run(line, diff)


def _line_options(fmt: MrzFormat, index: int, line: str) -> list[str]:
    length = FORMATS[fmt][1]
    if _names_line(fmt, index) and line.endswith("<") and len(line) < length:
        return [line.ljust(length, "<")]
    return _alignments(line, length)


def parse_mrz(
    text: str | Iterable[str],
    today: dt.date | None = None,
    ocr_confidence: float | None = None,
    method: str = "text",
) -> MrzResult | None:
    """Find and parse the best MRZ in OCR ``text`` (a string or its lines); None if there is none.

    ``today`` resolves two-digit birth years (default: the current date). ``ocr_confidence``
    (0-1), when given, scales the result's confidence (the fraction of checks that hold).

    >>> parse_mrz("no machine readable zone here") is None
    True
    """
    today = today or dt.date.today()
    best: MrzResult | None = None
    best_score: tuple[float, ...] = ()
    for fmt, window in _windows(candidate_lines(text)):
        options = [_line_options(fmt, i, line) for i, line in enumerate(window)]
        shift = _shift(fmt, window)
        for aligned in itertools.islice(itertools.product(*options), 200):
            result = _parse_aligned(fmt, window, list(aligned), today)
            score = _score(result, shift)
            if best is None or score > best_score:
                best, best_score = result, score
    if best is None:
        return None
    scale = 1.0 if ocr_confidence is None else max(0.0, min(1.0, ocr_confidence))
    return best.model_copy(update={"confidence": best.confidence * scale, "method": method})


# ---------------------------------------------------------------- composing (tests, fixtures)


def _names_field(surnames: str, given_names: str, width: int) -> str:
    value = "<".join(surnames.split()) + "<<" + "<".join(given_names.split())
    return value[:width].ljust(width, "<")


def compose_td3(
    doc_type: str,
    country: str,
    surnames: str,
    given_names: str,
    number: str,
    nationality: str,
    birth: str,
    sex: str,
    expiry: str,
    personal: str = "",
) -> list[str]:
    """The two lines of a TD3 MRZ with all check digits (dates as YYMMDD).

    >>> compose_td3("P", "UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "UTO", "740812", "F",
    ...             "120415", "ZE184226B")[1]
    'L898902C36UTO7408122F1204159ZE184226B<<<<<10'
    """
    line1 = (doc_type.ljust(2, "<") + country.ljust(3, "<"))[:5] + _names_field(
        surnames, given_names, 39
    )
    number, personal = number.ljust(9, "<"), personal.ljust(14, "<")
    personal_check = "<" if set(personal) == {"<"} else check_digit(personal)
    line2 = (
        number
        + check_digit(number)
        + nationality.ljust(3, "<")
        + birth
        + check_digit(birth)
        + (sex or "<")
        + expiry
        + check_digit(expiry)
        + personal
        + personal_check
    )
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    return [line1, line2 + check_digit(composite)]


def compose_td1(
    doc_type: str,
    country: str,
    number: str,
    optional: str,
    birth: str,
    sex: str,
    expiry: str,
    nationality: str,
    surnames: str,
    given_names: str,
    optional_2: str = "",
) -> list[str]:
    """The three lines of a TD1 MRZ with all check digits (an INE back: ``"ID", "MEX", CIC``).

    >>> compose_td1("I", "UTO", "D23145890", "", "740812", "F", "120415", "UTO",
    ...             "ERIKSSON", "ANNA MARIA")[1]
    '7408122F1204159UTO<<<<<<<<<<<6'
    """
    number = number.ljust(9, "<")
    line1 = (
        (doc_type.ljust(2, "<") + country.ljust(3, "<"))[:5]
        + number
        + check_digit(number)
        + optional.ljust(15, "<")
    )[:30]
    line2 = (
        birth
        + check_digit(birth)
        + (sex or "<")
        + expiry
        + check_digit(expiry)
        + nationality.ljust(3, "<")
        + optional_2.ljust(11, "<")
    )[:29]
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    names = "<".join(surnames.split()) + "<<" + "<".join(given_names.split())
    return [line1, line2 + check_digit(composite), names[:30].ljust(30, "<")]


def filler_readings(field: str) -> list[str]:
    """An MRZ name field as read, and with the X or K an OCR read beside a ``<`` filler (its
    commonest MRZ confusions: the chevron's two strokes) dropped: ``BARBARAX<XTER`` is
    ``BARBARA<TER``, ``RAMONK<K`` is ``RAMON<`` (names have no check digit to catch it). A
    name may start or end with X or K, so both readings are witnesses, neither a correction.

    >>> filler_readings("PEREZ<<BARBARAX<XTER")
    ['PEREZ<<BARBARAX<XTER', 'PEREZ<<BARBARA<TER']
    >>> filler_readings("CHAVEZ<SOLIS<<RAMONK<K")[1]
    'CHAVEZ<SOLIS<<RAMON<'
    >>> filler_readings("PEREZ<<ANA<<<")
    ['PEREZ<<ANA<<<']

    A filler between two words read as two glyphs, ``KX`` or ``XK`` (no Spanish name spells
    either), is a filler again:

    >>> filler_readings("CASTANEDAKXVILLASENOR<<LUCIA")[1]
    'CASTANEDA<VILLASENOR<<LUCIA'
    """
    dropped = re.sub(r"[XK](?=<)|(?<=<)[XK]", "", field)
    dropped = re.sub(r"(?<=[A-Z])(?:KX|XK)(?=[A-Z])", "<", dropped)
    return [field] if dropped == field else [field, dropped]
