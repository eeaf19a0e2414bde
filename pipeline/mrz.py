"""ICAO 9303 machine-readable zones (TD1, TD2, TD3) from noisy OCR text, checked and repaired.

The parser picks the lines that look like an MRZ among any OCR text, aligns them to the format's
length, validates every check digit and the composite, and uses the check digits to undo the
usual OCR confusions (O/0, I/1, S/5, B/8, Z/2, G/6, D/0, Q/0) in the fields they protect. Every
changed character is listed in ``MrzResult.repairs``. It never raises on arbitrary text: it
returns ``None`` when nothing looks like an MRZ.

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
from dataclasses import dataclass

from models.mrz import MrzFormat, MrzRepair, MrzResult

_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")} | {"<": 0}
_WEIGHTS = (7, 3, 1)
_MRZ_CHARS = set(_VALUES)

#: OCR confusions between letters and digits, both directions (strong: accepted on a check digit)
_CONFUSABLE_GROUPS = ("0ODQU", "1IL", "2Z", "5S", "8B", "6G", "4A", "7T")
#: digit-digit confusions (weak: accepted only when the composite check confirms them)
_WEAK_GROUPS = ("38", "89", "68", "56", "17", "08")
_TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "J": "1", "Z": "2"}
_TO_DIGIT |= {"S": "5", "B": "8", "G": "6", "A": "4", "T": "7"}
_TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"}
_CURP14_ALPHABET = "AAAADDDDDDAAAA"  # CURP positions 1-14: letters (A) or digits (D)
_FILLER_LOOKALIKES = str.maketrans({c: "<" for c in "«‹≪＜([{"})

#: ISO 3166-1 alpha-3 codes plus ICAO 9303's own (D, GB*, UN*, X**, EUE, RKS; UTO for specimens)
_CODES = """AFG ALA ALB DZA ASM AND AGO AIA ATA ATG ARG ARM ABW AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ
    BEN BMU BTN BOL BES BIH BWA BVT BRA IOT BRN BGR BFA BDI CPV KHM CMR CAN CYM CAF TCD CHL CHN
    CXR CCK COL COM COG COD COK CRI CIV HRV CUB CUW CYP CZE DNK DJI DMA DOM ECU EGY SLV GNQ ERI
    EST SWZ ETH FLK FRO FJI FIN FRA GUF PYF ATF GAB GMB GEO DEU GHA GIB GRC GRL GRD GLP GUM GTM
    GGY GIN GNB GUY HTI HMD VAT HND HKG HUN ISL IND IDN IRN IRQ IRL IMN ISR ITA JAM JPN JEY JOR
    KAZ KEN KIR PRK KOR KWT KGZ LAO LVA LBN LSO LBR LBY LIE LTU LUX MAC MDG MWI MYS MDV MLI MLT
    MHL MTQ MRT MUS MYT MEX FSM MDA MCO MNG MNE MSR MAR MOZ MMR NAM NRU NPL NLD NCL NZL NIC NER
    NGA NIU NFK MKD MNP NOR OMN PAK PLW PSE PAN PNG PRY PER PHL PCN POL PRT PRI QAT REU ROU RUS
    RWA BLM SHN KNA LCA MAF SPM VCT WSM SMR STP SAU SEN SRB SYC SLE SGP SXM SVK SVN SLB SOM ZAF
    SGS SSD ESP LKA SDN SUR SJM SWE CHE SYR TWN TJK TZA THA TLS TGO TKL TON TTO TUN TUR TKM TCA
    TUV UGA UKR ARE GBR USA UMI URY UZB VUT VEN VNM VGB VIR WLF ESH YEM ZMB ZWE
    D GBD GBN GBO GBP GBS UNO UNA UNK XBA XIM XCC XCE XCO XEC XPO XES XMP XOM XDC XXA XXB XXC
    XXX EUE RKS ANT NTZ UTO"""
COUNTRY_CODES = frozenset(_CODES.split())
_LETTER_GROUPS = ("EF", "CG", "MN", "UV", "PR", "OQD", "IL", "BE", "HN", "KX")

#: format -> (number of lines, line length)
FORMATS: dict[MrzFormat, tuple[int, int]] = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}
_MAX_SLACK = 3  # how many characters too long or short a line may be read
_MAX_FILLER_SLACK = 8  # ... when the difference can sit in a run of fillers


def check_digit(value: str) -> str:
    """ICAO 9303 check digit of ``value`` (weights 7, 3, 1; A=10..Z=35; < = 0).

    >>> check_digit("D23145890"), check_digit("740812"), check_digit("120415")
    ('7', '2', '9')
    >>> check_digit("L898902C3"), check_digit("ZE184226B<<<<<")
    ('6', '1')
    >>> check_digit("")
    '0'
    """
    total = sum(_VALUES.get(c, 0) * _WEIGHTS[i % 3] for i, c in enumerate(value))
    return str(total % 10)


def _check_ok(value: str, check: str, empty_ok: bool = False) -> bool:
    """Does ``check`` hold for ``value``? (An empty optional field may carry < as its check.)"""
    if empty_ok and check == "<" and set(value) <= {"<"}:
        return True
    return check == check_digit(value)


# ---------------------------------------------------------------- layouts


@dataclass(frozen=True)
class _Field:
    name: str
    line: int
    start: int
    end: int
    kind: str  # "alnum", "digits", "alpha", "names", "sex"
    check: tuple[int, int] | None = None  # (line, index) of its check digit
    empty_ok: bool = False


@dataclass(frozen=True)
class _Layout:
    fields: tuple[_Field, ...]
    composite: tuple[tuple[int, int, int], ...]  # (line, start, end) spans
    composite_at: tuple[int, int]

    def field(self, name: str) -> _Field:
        return next(f for f in self.fields if f.name == name)


def _two_line_layout(length: int) -> _Layout:
    """TD2 (36) and TD3 (44): identical but for the names and optional-data widths."""
    end = length - 2 if length == 44 else length - 1
    optional = _Field(
        "optional_data", 1, 28, end, "alnum", (1, end) if length == 44 else None, empty_ok=True
    )
    return _Layout(
        fields=(
            _Field("document_type", 0, 0, 2, "alpha"),
            _Field("issuing_country", 0, 2, 5, "alpha"),
            _Field("names", 0, 5, length, "names"),
            _Field("document_number", 1, 0, 9, "alnum", (1, 9)),
            _Field("nationality", 1, 10, 13, "alpha"),
            _Field("birth_date", 1, 13, 19, "digits", (1, 19)),
            _Field("sex", 1, 20, 21, "sex"),
            _Field("expiry_date", 1, 21, 27, "digits", (1, 27)),
            optional,
        ),
        composite=((1, 0, 10), (1, 13, 20), (1, 21, length - 1)),
        composite_at=(1, length - 1),
    )


LAYOUTS: dict[MrzFormat, _Layout] = {
    "TD1": _Layout(
        fields=(
            _Field("document_type", 0, 0, 2, "alpha"),
            _Field("issuing_country", 0, 2, 5, "alpha"),
            _Field("document_number", 0, 5, 14, "alnum", (0, 14)),
            _Field("optional_data", 0, 15, 30, "alnum"),
            _Field("birth_date", 1, 0, 6, "digits", (1, 6)),
            _Field("sex", 1, 7, 8, "sex"),
            _Field("expiry_date", 1, 8, 14, "digits", (1, 14)),
            _Field("nationality", 1, 15, 18, "alpha"),
            _Field("optional_data_2", 1, 18, 29, "alnum"),
            _Field("names", 2, 0, 30, "names"),
        ),
        composite=((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
        composite_at=(1, 29),
    ),
    "TD2": _two_line_layout(36),
    "TD3": _two_line_layout(44),
}


# ---------------------------------------------------------------- finding lines


def clean_line(raw: str) -> str:
    """Upper-case, map look-alikes of < to <, drop spaces and characters foreign to an MRZ.

    >>> clean_line(" p<uto ERIKSSON«<ANNA ‹MARIA<<<KK<<")
    'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<'
    """
    line = raw.upper().translate(_FILLER_LOOKALIKES)
    line = "".join(c for c in line if c in _MRZ_CHARS)
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


# ---------------------------------------------------------------- repairs


def _alternatives(char: str, kind: str, weak: bool) -> list[str]:
    """Characters ``char`` may have been, for a field of ``kind``.

    Alphanumeric fields (document and personal numbers) only get the commonest confusions
    (O/0/D/Q, I/1): their check digit is all that guards a repair there, and the more
    alternatives are tried, the likelier one validates by chance.
    """
    groups: tuple[str, ...] = _WEAK_GROUPS if weak else _CONFUSABLE_GROUPS
    if kind == "alnum":
        groups = ("0ODQ", "1I")
    alts = [c for g in groups if char in g for c in g if c != char]
    if kind == "digits":
        alts = [c for c in alts if c.isdigit()]
    return list(dict.fromkeys(alts))


def _force_alphabet(lines: list[list[str]], layout: _Layout, repairs: list[MrzRepair]) -> None:
    """Letters in digit fields and check digits become digits; digits in alpha fields letters."""
    spots: list[tuple[str, int, int, dict[str, str]]] = []
    for f in layout.fields:
        table = {"digits": _TO_DIGIT, "alpha": _TO_LETTER, "names": _TO_LETTER}.get(f.kind)
        if table:
            spots += [(f.name, f.line, i, table) for i in range(f.start, f.end)]
        if f.check:
            spots.append((f.name, *f.check, _TO_DIGIT))
    spots.append(("composite", *layout.composite_at, _TO_DIGIT))
    if layout.composite_at == (1, 43) and "".join(lines[0][2:5]) == "MEX":
        # Mexican passport: the personal number is the CURP's first 14 characters
        curp = [(_TO_LETTER if c == "A" else _TO_DIGIT) for c in _CURP14_ALPHABET]
        spots += [("optional_data", 1, 28 + i, table) for i, table in enumerate(curp)]
    for name, ln, i, table in spots:
        new = table.get(lines[ln][i])
        if new:
            repairs.append(
                MrzRepair(
                    field=name,
                    line=ln,
                    position=i,
                    read=lines[ln][i],
                    repaired=new,
                    validated=False,
                )
            )
            lines[ln][i] = new


def _field_ok(lines: list[list[str]], f: _Field) -> bool:
    assert f.check is not None
    value = "".join(lines[f.line][f.start : f.end])
    return _check_ok(value, lines[f.check[0]][f.check[1]], f.empty_ok)


def _composite_ok(lines: list[list[str]], layout: _Layout) -> bool:
    value = "".join("".join(lines[ln][a:b]) for ln, a, b in layout.composite)
    return lines[layout.composite_at[0]][layout.composite_at[1]] == check_digit(value)


_Edit = tuple[int, int, str]  # (line, index, new char)


def _field_edits(lines: list[list[str]], f: _Field, weak: bool) -> list[list[_Edit]]:
    """Single-character edits of a field (or its check digit) after which its check holds.

    A check digit is never changed into another digit (a weak, digit-for-digit edit): the
    check digit is the evidence the field is read right, and a digit that fits it in its
    place is exactly what an altered check digit would need to pass.
    """
    assert f.check is not None
    spots = [(f.line, i) for i in range(f.start, f.end)] + ([] if weak else [f.check])
    found = []
    for ln, i in spots:
        old = lines[ln][i]
        kind = "digits" if (ln, i) == f.check else f.kind
        for alt in _alternatives(old, kind, weak):
            lines[ln][i] = alt
            if _field_ok(lines, f) and _real_date_if_date(lines, f):
                found.append([(ln, i, alt)])
            lines[ln][i] = old
    return found


def _real_date_if_date(lines: list[list[str]], f: _Field) -> bool:
    """A repaired date field must still be a calendar date: an edit that fits an altered check
    digit by making the month 70 is no reading of the print. Read as 20YY (:func:`_yymmdd`):
    every date of 19YY is one of 20YY too, so the century does not matter here.

    >>> f = _Field("birth_date", 0, 0, 6, "digits", (0, 6))
    >>> _real_date_if_date([list("9410091")], f), _real_date_if_date([list("9470091")], f)
    (True, False)
    """
    if f.name not in ("birth_date", "expiry_date"):
        return True
    value = "".join(lines[f.line][f.start : f.end])
    return _yymmdd(value, "expiry", dt.date.today()) is not None


def _apply(lines: list[list[str]], edits: Iterable[_Edit]) -> list[tuple[int, int, str]]:
    """Apply edits, returning the undo list."""
    undo = []
    for ln, i, c in edits:
        undo.append((ln, i, lines[ln][i]))
        lines[ln][i] = c
    return undo


def _repair_checked_fields(lines: list[list[str]], layout: _Layout) -> list[_Edit]:
    """Choose edits to the failing checked fields, using the composite to settle ambiguity.

    Digit fields (dates) may be confirmed by the composite, whose weights differ from theirs.
    Alphanumeric fields (document and personal numbers) sit where the composite weights equal
    their own, so the composite cannot confirm them: only a unique strong edit is accepted.
    """
    failing = [f for f in layout.fields if f.check and not _field_ok(lines, f)]
    if not failing:
        return []
    strong = [_unique_if_alnum(f, _field_edits(lines, f, weak=False)) for f in failing]
    choice = _composite_choice(lines, layout, [[[], *opts] for opts in strong])
    if choice is None:
        weak = [
            opts + (_field_edits(lines, f, weak=True) if f.kind == "digits" else [])
            for f, opts in zip(failing, strong, strict=True)
        ]
        choice = _composite_choice(lines, layout, [[[], *opts] for opts in weak])
    if choice is not None:
        return choice
    # no composite confirmation: accept only unambiguous strong single edits
    return [e for opts in strong if len(opts) == 1 for e in opts[0]]


def _unique_if_alnum(f: _Field, options: list[list[_Edit]]) -> list[list[_Edit]]:
    return options if f.kind == "digits" or len(options) == 1 else []


def _composite_choice(
    lines: list[list[str]], layout: _Layout, options: list[list[list[_Edit]]]
) -> list[_Edit] | None:
    """The fewest edits (one option per field) making every field and the composite hold."""
    best: list[_Edit] | None = None
    for combo in itertools.islice(itertools.product(*options), 5000):
        edits = [e for option in combo for e in option]
        undo = _apply(lines, edits)
        ok = _composite_ok(lines, layout) and all(
            _field_ok(lines, f) for f in layout.fields if f.check
        )
        _apply(lines, reversed(undo))
        if ok and (best is None or len(edits) < len(best)):
            best = edits
    return best


def _repair_composite(lines: list[list[str]], layout: _Layout) -> list[_Edit]:
    """Fields all valid but the composite not: a unique edit of an unchecked composite char."""
    checked = {(f.check[0], f.check[1]) for f in layout.fields if f.check}
    protected = checked | {
        (f.line, i) for f in layout.fields if f.check for i in range(f.start, f.end)
    }
    spots = [(ln, i) for ln, a, b in layout.composite for i in range(a, b)]
    spots = [s for s in spots if s not in protected] + [layout.composite_at]
    found = []
    for ln, i in spots:
        old = lines[ln][i]
        for alt in _alternatives(old, "alnum", weak=False):
            lines[ln][i] = alt
            if _composite_ok(lines, layout):
                found.append((ln, i, alt))
            lines[ln][i] = old
    if len(found) > 1:
        # several fit the composite: keep the one that makes a letter among digits a digit
        # (or a digit among letters a letter); a digit turned into a letter in a run of
        # digits is no reading of the print
        found = [edit for edit in found if _fits_neighbours(lines[edit[0]], edit[1], edit[2])]
    return found if len(found) == 1 else []


def _fits_neighbours(line: list[str], i: int, new: str) -> bool:
    """``new`` at ``line[i]`` (a letter/digit look-alike of what was read) is of the kind of
    its nearest non-filler neighbours on both sides, and what was read there is not.

    >>> _fits_neighbours(list("<<40381335012O1"), 13, "0"), _fits_neighbours(list("<<40381"), 5, "Q")
    (True, False)
    """
    left = next((c for c in reversed(line[:i]) if c != "<"), "")
    right = next((c for c in line[i + 1 :] if c != "<"), "")
    sides = [c for c in (left, right) if c]
    if not sides or line[i].isdigit() == new.isdigit():
        return False
    return all(c.isdigit() == new.isdigit() for c in sides)


# ---------------------------------------------------------------- fields


def _yymmdd(value: str, kind: str, today: dt.date) -> dt.date | None:
    """YYMMDD -> date: birth dates in the past (19YY when YY is after this year), expiry 20YY."""
    if not re.fullmatch(r"\d{6}", value):
        return None
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:])
    century = 1900 if kind == "birth" and yy > today.year % 100 else 2000
    try:
        return dt.date(century + yy, mm, dd)
    except ValueError:
        return None


def _split_names(value: str) -> tuple[str, str]:
    """'ERIKSSON<<ANNA<MARIA<<<' -> ('ERIKSSON', 'ANNA MARIA')."""
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
    _force_alphabet(lines, layout, repairs)
    edits = _repair_checked_fields(lines, layout)
    _apply(lines, edits)
    if all(_field_ok(lines, f) for f in layout.fields if f.check) and not _composite_ok(
        lines, layout
    ):
        extra = _repair_composite(lines, layout)
        edits += extra
        _apply(lines, extra)
    return _result(fmt, layout, raw, lines, aligned, today)


def _result(
    fmt: MrzFormat,
    layout: _Layout,
    raw: list[str],
    lines: list[list[str]],
    aligned: list[str],
    today: dt.date,
) -> MrzResult:

    def value(name: str) -> str:
        f = layout.field(name)
        return text[f.line][f.start : f.end]

    _repair_country_codes(lines, layout)
    text = ["".join(line) for line in lines]
    checks = {f.name: _field_ok(lines, f) for f in layout.fields if f.check}
    checks["composite"] = _composite_ok(lines, layout)
    checks["structure"] = _structure_ok(fmt, value)
    repairs = _final_repairs(layout, lines, aligned, checks)
    number, optional = value("document_number"), value("optional_data")
    if fmt == "TD1":
        number, _, optional = _td1_overflow(number, text[0][14], optional)
    surnames, given = _split_names(value("names"))
    optional_2 = value("optional_data_2") if fmt == "TD1" else ""
    return MrzResult(
        format=fmt,
        document_type=value("document_type").replace("<", ""),
        issuing_country=value("issuing_country").replace("<", ""),
        document_number=number.replace("<", ""),
        birth_date=_yymmdd(value("birth_date"), "birth", today),
        sex=_sex(value("sex"), value("document_type"), value("issuing_country")),
        expiry_date=_yymmdd(value("expiry_date"), "expiry", today),
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
    layout: _Layout,
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


def _repair_country_codes(lines: list[list[str]], layout: _Layout) -> None:
    """An unknown country code one letter confusion away from exactly one known code (AZF ->
    AZE) is repaired; the list of codes confirms it (reported, not check-digit validated)."""
    for name in ("issuing_country", "nationality"):
        f = layout.field(name)
        code = "".join(lines[f.line][f.start : f.end])
        if code.replace("<", "") in COUNTRY_CODES:
            continue
        found = set()
        for i, char in enumerate(code):
            for group in _LETTER_GROUPS:
                for alt in group.replace(char, "") if char in group else "":
                    candidate = code[:i] + alt + code[i + 1 :]
                    if candidate.replace("<", "") in COUNTRY_CODES:
                        found.add(candidate)
        if len(found) == 1:
            lines[f.line][f.start : f.end] = list(found.pop())


def _in_composite(layout: _Layout, ln: int, i: int) -> bool:
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
