"""Read a proof of address (a utility, phone, water, gas or property-tax bill): who issued it,
to whom, where, and when.

::

    reading = read_address_proof(upload, ocr, pdf)
    reading.emisor.value, reading.codigo_postal.value, reading.fecha.value   # "CFE", "03100", ...
    reading.kind                                                             # "bill" / "ine_front"

Text comes from the cheapest exact source: a PDF's text layer (``pdftotext``, no OCR at all);
a PDF without one is rasterised (caps on pages, DPI and time) and OCR'd like a photo; a photo is
located, straightened and OCR'd once. The fields are then found in the text lines *by labels
and patterns* (``C.P. 03100``, ``PERIODO FACTURADO``, ``LÍMITE DE PAGO``, ``FECHA DE EMISIÓN``),
never by position, so any issuer's layout works. The recency date ``fecha`` is the END of the
billing period when one is printed, else the issue (billing) date; ``fecha_basis`` says which.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

import numpy as np

from models.documents import AddressReading, DocumentImage
from models.results import Reading, Source
from pipeline import dates, orientation, text_lines
from pipeline import document as doc
from pipeline.engines.poppler import PdfEngine, PdfUnreadable
from pipeline.engines.tesseract import OcrEngine
from pipeline.uploads import Upload

#: a text layer with fewer letters/digits than this is treated as absent (scanned PDF)
MIN_TEXT_LAYER_CHARS = 60
#: the longest billing period taken from two loose dates (bimonthly bills: ~62 days)
MAX_PERIOD_DAYS = 100
#: fewer words than this: the photo is read again as the other shape (card / page)
MIN_WORDS_ONE_SHAPE = 15
#: pages of a PDF that are read (bills carry the header fields on page 1)
MAX_PAGES_READ = 2

#: issuer -> (patterns on folded text, kind of service)
ISSUERS: dict[str, tuple[tuple[str, ...], str]] = {
    "CFE": (
        (
            r"\bCFE\b",
            r"COMISION\s+FEDERAL\s+DE\s+ELECTRICIDAD",
            r"SUMINISTRADOR\s+DE\s+SERVICIOS\s+BASICOS",
        ),
        "electricidad",
    ),
    "TELMEX": ((r"\bTELMEX\b", r"TELEFONOS\s+DE\s+MEXICO"), "telefono"),
    "TOTALPLAY": ((r"TOTAL\s*PLAY",), "telefono"),
    "IZZI": ((r"\bIZZI\b",), "telefono"),
    "MEGACABLE": ((r"MEGA\s*CABLE",), "telefono"),
    "AXTEL": ((r"\bAXTEL\b",), "telefono"),
    "TELCEL": ((r"\bTELCEL\b",), "telefono"),
    "SKY": ((r"\bSKY\b",), "telefono"),
    "SACMEX": ((r"\bSACMEX\b", r"SISTEMA\s+DE\s+AGUAS\s+DE\s+LA\s+CIUDAD"), "agua"),
    "PREDIAL": ((r"\bPREDIAL\b", r"IMPUESTO\s+PREDIAL"), "predial"),
    "NATURGY": ((r"\bNATURGY\b", r"GAS\s+NATURAL\s+(?:FENOSA|MEXICO)"), "gas"),
    "ENGIE": ((r"\bENGIE\b",), "gas"),
    "GAS": ((r"\bGAS\s+(?:NATURAL|L\.?P\.?)\b",), "gas"),
    "AGUA": (
        (r"\bAGUA\s+POTABLE\b", r"\bORGANISMO\s+OPERADOR\b", r"\bSIAPA\b", r"\bSADM\b"),
        "agua",
    ),
}

_CP_LABEL = re.compile(r"(?:C\.?\s*P\.?|CODIGO\s+POSTAL)\s*[:.]?\s*([0-9OIlSB]{5})(?![0-9])")
_CP_BARE = re.compile(r"(?<![0-9$.,])([0-9]{5})(?![0-9.,])")
_PERIOD_LABEL = re.compile(r"PERIODO|CONSUMO\s+DEL|BIMESTRE|MES\s+DE\s+CONSUMO|FACTURADO")
_ISSUE_LABEL = re.compile(
    r"FECHA\s+DE\s+(?:EMISION|EXPEDICION|FACTURACION|CORTE|ELABORACION)|"
    r"\bEMISION\b|\bEMITIDO\b|\bFACTURACION\b|FECHA\s+DE\s+CORTE"
)
_DUE_LABEL = re.compile(r"L[IÍ]MITE\s+DE\s+PAGO|PAGAR\s+ANTES|VENCIMIENTO|FECHA\s+L[IÍ]MITE")
_HOLDER_LABEL = re.compile(r"^(?:NOMBRE|TITULAR|CLIENTE|USUARIO|CONTRIBUYENTE|PROPIETARIO)\b")
_STREET = re.compile(
    r"^(?:C\.?|CALLE|AV\.?|AVENIDA|CDA\.?|CERRADA|CALZ\.?|CALZADA|PRIV\.?|"
    r"PRIVADA|BLVD\.?|BOULEVARD|AND\.?|ANDADOR|PROL\.?|PROLONGACION|CJON\.?|"
    r"CALLEJON|EJE|RETORNO|CIRCUITO|PASEO|MZ|MZA|MANZANA)\b"
)


@dataclass(frozen=True)
class Cell:
    """One run of text on a line (columns apart): its text, left edge and row number.

    ``x`` is in pixels for OCR'd pages and in characters for a PDF text layer; ``tolerance``
    is how far apart (same units) two left edges may be and still be one column.
    """

    text: str
    x: float
    row: int
    tolerance: float
    #: right edge (same units as ``x``; 0 when unknown)
    right: float = 0.0


@dataclass(frozen=True)
class BillText:
    """The text of an address proof: cells in reading order, where it came from, and its OCR
    measurements."""

    cells: list[Cell]
    source: str
    pages: int = 1
    document: DocumentImage | None = None
    confidence: float = 1.0
    #: a second, full-size reading of the same page, made when the first one was weak
    reread: BillText | None = None
    #: how much print was read confidently (:func:`pipeline.orientation.orientation_score`)
    score: float = 0.0


def read_address_proof(upload: Upload, ocr: OcrEngine, pdf: PdfEngine) -> AddressReading:
    """Read the proof of address. Never raises on bad input (the reading stays empty)."""
    if not upload.ok:
        return AddressReading(problem=f"upload_{upload.kind}")
    try:
        bill = _text_of(upload, ocr, pdf)
    except PdfUnreadable:
        return AddressReading(source="none", problem="pdf_unreadable")
    if bill is None:
        return AddressReading(problem="no_content")
    return parse_bill(bill)


def _text_of(upload: Upload, ocr: OcrEngine, pdf: PdfEngine) -> BillText | None:
    if upload.kind == "pdf" and upload.pdf is not None:
        return pdf_text(upload.pdf, ocr, pdf)
    if upload.image is not None:
        return image_text(upload.image, ocr)
    return None


def pdf_text(data: bytes, ocr: OcrEngine, pdf: PdfEngine) -> BillText:
    """The PDF's text layer when it has one, else the OCR of its rasterised first page(s)."""
    pages = pdf.text(data, max_pages=MAX_PAGES_READ)
    text = "\n".join(pages)
    if len(re.findall(r"[A-Za-z0-9]", text)) >= MIN_TEXT_LAYER_CHARS:
        return BillText(cells=text_layer_cells(text), source="pdf-text", pages=len(pages))
    images = pdf.rasterise(data, max_pages=1)
    scanned = image_text(images[0], ocr, located=False)
    return replace(scanned, source="pdf-raster", pages=len(images))


def text_layer_cells(text: str) -> list[Cell]:
    """Cells of ``pdftotext -layout`` output: runs separated by 3+ spaces.

    >>> [(c.text, c.x, c.row) for c in text_layer_cells("CFE      TOTAL\\n  C CEDROS 4")]
    [('CFE', 0, 0), ('TOTAL', 9, 0), ('C CEDROS 4', 2, 1)]
    """
    cells = []
    for row, line in enumerate(text.splitlines()):
        for match in re.finditer(r"\S+(?: {1,2}\S+)*", line):
            cells.append(Cell(match.group(0), match.start(), row, 3.0, match.end()))
    return cells


def image_text(image: np.ndarray, ocr: OcrEngine, located: bool = True) -> BillText:
    """Straighten a photographed page and OCR it once; lines in reading order.

    Colour plays no part in reading a bill, so the photo is straightened in grey (a third of
    the pixels to warp), and large print is read on a shrunk copy
    (:func:`pipeline.orientation.read_scale`). When that reading misses a field every bill
    prints (issuer, C.P.) or its dates are doubtful (:func:`_weak`), the page is read again at
    full size with its background flattened (shadows, tinted paper) and :func:`parse_bill`
    takes the missing fields from that reading (``BillText.reread``): the extra call is only
    paid when the cheap one failed, and never for a photo too dark or blurred to hold print.
    A weak reading through a found outline may also come from a wrong outline: see
    :func:`_read_located`.
    """
    grey = doc.to_grey(image)
    if located:
        return _read_located(grey, ocr)
    page = doc.Page(doc.canonical_size(grey, "page"))
    page = orientation.upright(page, ocr, _shape_of(page.image))
    return _with_reread(page, _bill_of(page), ocr)


def _with_reread(page: doc.Page, bill: BillText, ocr: OcrEngine) -> BillText:
    """``bill`` with a flattened full-size second reading when it is weak and worth it."""
    if _worth_rereading(page, bill) and _weak(bill, _parse(bill)):
        words = orientation.read_words(ocr, page.image, prep="flatten")
        return replace(bill, reread=_bill_of(replace(page, words=words, read_scale=1.0)))
    return bill


def _worth_rereading(page: doc.Page, bill: BillText) -> bool:
    """Real print was read (not a dark or blurred photo) and it is not an ID (an ID uploaded
    as a proof of address has no bill fields to find)."""
    return orientation.has_confident_words(page.words) and not _is_id(bill)


_ID_KINDS = ("ine_front", "ine_back", "passport")


def _bill_of(page: doc.Page) -> BillText:
    record = doc.describe(page)
    cells = [
        Cell(p.text, p.left, p.line, max(p.height, 8) * 2.5, p.right)
        for p in text_lines.phrases(page.words)
    ]
    score = orientation.orientation_score(page.words)
    return BillText(cells, "image-ocr", 1, record, record.ocr_confidence, score=score)


#: how well the recency date is grounded, by ``fecha_basis`` (a due date is a fallback)
_BASIS_RANK = {"period_end": 3, "issue_date": 2, "due_date": 1, "": 0}


def _weak(bill: BillText, reading: AddressReading) -> bool:
    """A reading missing the issuer or the C.P., or whose dates are doubtful: no period or
    issue date, a period label whose period was not read, or a due date before the issue
    date."""
    if reading.emisor.value is None or reading.codigo_postal.value is None:
        return True
    if _BASIS_RANK.get(reading.fecha_basis, 0) < 2:
        return True
    labelled = any(_PERIOD_LABEL.search(text_lines.fold(cell.text)) for cell in bill.cells)
    if labelled and reading.periodo_fin.value is None:
        return True
    return not _dates_in_order(reading)


def _dates_in_order(reading: AddressReading) -> bool:
    """A bill is due after it is issued (a few days' slack). The period's end is not
    compared: property tax is due within the bimester it covers."""
    issued, due = reading.fecha_emision.value, reading.fecha_limite_pago.value
    if not isinstance(issued, dt.date) or not isinstance(due, dt.date):
        return True
    return due - issued >= dt.timedelta(days=-3)


def _read_located(grey: np.ndarray, ocr: OcrEngine) -> BillText:
    """Read a photographed proof of address through its outline (:func:`image_text`).

    A weak bill (:func:`_weak`) read through a found outline may come from a wrong outline: a
    quadrilateral inside the page (a table's frame, a fold, a page edge lost on a pale
    background) crops the customer's address or the issuer away. The page is then read once
    more without it (:func:`_page_without_outline`), and that reading is kept when it misses
    fewer fields. It is tried first when the outline is doubtful (card-shaped, while a bill is
    a page; or no confident words read through it), else only when the flattened second
    reading did not complete the bill either. An ID uploaded as a proof of address is not
    read again.
    """
    search = doc.search_outlines(grey)
    page, shape = _read_either_shape(grey, ocr, search)
    bill = _bill_of(page)
    if not page.outline_found or _is_id(bill):
        return _with_reread(page, bill, ocr)
    if shape == "card" or not orientation.has_confident_words(page.words):
        page, bill = _unless_better_without_outline(grey, ocr, search, shape, page, bill)
        return _with_reread(page, bill, ocr)
    bill = _with_reread(page, bill, ocr)
    return _unless_better_without_outline(grey, ocr, search, shape, page, bill)[1]


def _unless_better_without_outline(
    grey: np.ndarray,
    ocr: OcrEngine,
    search: doc.OutlineSearch,
    shape: doc.Shape,
    page: doc.Page,
    bill: BillText,
) -> tuple[doc.Page, BillText]:
    """``page`` and ``bill``, or the page read without its outline when ``bill`` is weak and
    that reading misses fewer fields."""
    reading = parse_bill(bill)
    if not _weak(bill, reading):
        return page, bill
    other = _page_without_outline(grey, ocr, search, shape)
    other_bill = _bill_of(other)
    if _better_reading(_parse(other_bill), reading):
        return other, other_bill
    return page, bill


def _page_without_outline(
    grey: np.ndarray, ocr: OcrEngine, search: doc.OutlineSearch, shape: doc.Shape
) -> doc.Page:
    """The page read without the outline first used: through the best page-shaped outline
    when a card-shaped one was read (a bill is a page: a card-shaped quadrilateral on it is a
    part of it) and that is another quadrilateral, else the whole photo as a page."""
    if shape == "card":
        card_quad = search.best("card")[0]
        page_quad = doc.find_outline(grey, "page", search)
        if page_quad is not None and (card_quad is None or not np.allclose(page_quad, card_quad)):
            return orientation.read_page(grey, ocr, "page", search)
    whole = doc.Page(image=doc.canonical_size(grey, "page"))
    return orientation.upright(whole, ocr, "page", enlarge=True)


def _missing(reading: AddressReading) -> int:
    """How many of the fields every bill prints (issuer, C.P., a period or issue date) a
    reading lacks.

    >>> _missing(AddressReading())
    3
    """
    return (
        (reading.emisor.value is None)
        + (reading.codigo_postal.value is None)
        + (_BASIS_RANK.get(reading.fecha_basis, 0) < 2)
    )


def _better_reading(candidate: AddressReading, current: AddressReading) -> bool:
    """Whether ``candidate`` misses fewer bill fields than ``current`` (as many: the located
    reading stays, and its flattened second reading follows)."""
    return _missing(candidate) < _missing(current)


def _is_id(bill: BillText) -> bool:
    return bill.document is not None and bill.document.kind in _ID_KINDS


def _read_either_shape(
    image: np.ndarray, ocr: OcrEngine, search: doc.OutlineSearch
) -> tuple[doc.Page, doc.Shape]:
    """Read the photo as the shape its outline suggests (a page, or a card: an ID uploaded as
    a proof of address); when that reads poorly, also as the other shape. Returns the page
    kept and the shape it was read as."""
    shape = doc.likely_shape(search)
    page = orientation.read_page(image, ocr, shape, search)
    if len(page.words) >= MIN_WORDS_ONE_SHAPE:
        return page, shape
    other_shape: doc.Shape = "card" if shape == "page" else "page"
    other = orientation.read_page(image, ocr, other_shape, search)
    if orientation.orientation_score(other.words) > orientation.orientation_score(page.words):
        return other, other_shape
    return page, shape


def _shape_of(image: np.ndarray) -> doc.Shape:
    """A landscape photo of a card is read as a card; anything else as a page."""
    h, w = image.shape[:2]
    return "card" if w > h * 1.3 else "page"


# --- fields ----------------------------------------------------------------------------------


#: a second reading that reads this much more print confidently than the first is the one
#: whose fields are kept (the first only fills its gaps): the first was misled by shading
BETTER_REREAD = 1.25


def parse_bill(bill: BillText) -> AddressReading:
    """Find every field of a bill in its text lines; fields the first reading missed are
    taken from the page's second reading when there is one (issuer, address block and dates
    each as a group, so a value never mixes two readings). When the second reading read far
    more print (``BETTER_REREAD``), the roles swap: a shaded page's first reading can hold a
    wrong C.P. (the issuer's, its name lost) that a gap-filling merge would keep."""
    reading = _parse(bill)
    if bill.reread is None:
        return reading
    second = _parse(bill.reread)
    if bill.reread.score > BETTER_REREAD * bill.score:
        return merge_readings(_marked_reread(second), reading, mark=False)
    return merge_readings(reading, second)


def _marked_reread(reading: AddressReading) -> AddressReading:
    """``reading`` (the second one) with every field's source ``PAGE_REREAD``."""
    names = (*_ISSUER_FIELDS, *_ADDRESS_FIELDS, *_DATE_FIELDS)
    return reading.model_copy(update=_taken(reading, names))


#: fields that are taken together from one reading
_ISSUER_FIELDS = ("emisor", "servicio")
_ADDRESS_FIELDS = ("codigo_postal", "domicilio", "titular")
_DATE_FIELDS = (
    "periodo_inicio",
    "periodo_fin",
    "fecha_emision",
    "fecha_limite_pago",
    "fecha",
    "fecha_basis",
)


def merge_readings(
    first: AddressReading, second: AddressReading, mark: bool = True
) -> AddressReading:
    """``first`` with the field groups it lacks (or, for the dates, grounds less well: a due
    date instead of a period or issue date) taken from ``second``, a reading of the same page;
    with ``mark`` (``second`` is the reread) the taken fields' source is ``PAGE_REREAD``."""
    update: dict[str, object] = {}
    if first.emisor.value is None and second.emisor.value is not None:
        update.update(_taken(second, _ISSUER_FIELDS, mark))
    if first.codigo_postal.value is None and second.codigo_postal.value is not None:
        update.update(_taken(second, _ADDRESS_FIELDS, mark))
    if _BASIS_RANK.get(second.fecha_basis, 0) > _BASIS_RANK.get(first.fecha_basis, 0):
        update.update(_taken(second, _DATE_FIELDS, mark))
    return first.model_copy(update=update) if update else first


def _taken(reading: AddressReading, names: tuple[str, ...], mark: bool = True) -> dict[str, object]:
    taken: dict[str, object] = {}
    for name in names:
        value = getattr(reading, name)
        if mark and isinstance(value, Reading) and value.present:
            value = value.model_copy(update={"source": Source.PAGE_REREAD})
        taken[name] = value
    return taken


def _parse(bill: BillText) -> AddressReading:
    """Every field of one reading of a bill."""
    cells = join_split_postcodes(bill.cells)
    bill = replace(bill, cells=cells)
    folded = [text_lines.fold(cell.text) for cell in cells]
    body = "\n".join(folded)
    record = bill.document
    if record is None:
        kind, score, _ = doc.classify(body, 0, 0)
    else:
        kind, score = record.kind, record.kind_score
    conf = round(max(0.0, min(1.0, bill.confidence)), 3)
    source = Source.PDF_TEXT if bill.source == "pdf-text" else Source.PATTERN
    period = find_period(bill.cells, folded)
    issue = find_labeled_date(bill.cells, folded, _ISSUE_LABEL)
    due = find_labeled_date(bill.cells, folded, _DUE_LABEL)
    fecha, basis = recency_date(period, issue, due)
    block = find_address(bill.cells, folded)
    emisor, servicio = find_issuer(body)
    return AddressReading(
        kind=kind,
        kind_score=score,
        source=bill.source,  # type: ignore[arg-type]
        pages=bill.pages,
        document=record,
        text_chars=len(re.findall(r"[A-Za-z0-9]", body)),
        ocr_confidence=conf,
        emisor=_reading(emisor, conf, source),
        servicio=_reading(servicio, conf, source),
        titular=_reading(find_holder(bill.cells, folded) or block.holder, conf, source),
        domicilio=_reading(block.address, conf, source),
        codigo_postal=_reading(block.codigo_postal, conf, source),
        periodo_inicio=_reading(period[0] if period else None, conf, source),
        periodo_fin=_reading(period[1] if period else None, conf, source),
        fecha_emision=_reading(issue, conf, source),
        fecha_limite_pago=_reading(due, conf, source),
        fecha=_reading(fecha, conf, source),
        fecha_basis=basis,
    )


def _reading(value: object, conf: float, source: Source) -> Reading:
    if value is None or value == "":
        return Reading(value=None, confidence=0.0)
    return Reading(value=value, confidence=conf, source=source)


def find_issuer(folded_text: str) -> tuple[str | None, str | None]:
    """The issuer named in the text (the earliest-mentioned known issuer wins).

    >>> find_issuer("CFE SUMINISTRADOR DE SERVICIOS BASICOS\\nTOTAL A PAGAR")
    ('CFE', 'electricidad')
    >>> find_issuer("nothing here")
    (None, None)
    """
    best: tuple[int, str, str] | None = None
    for name, (patterns, service) in ISSUERS.items():
        for pattern in patterns:
            match = re.search(pattern, folded_text)
            if match and (best is None or match.start() < best[0]):
                best = (match.start(), name, service)
    if best is None or best[0] < 0:
        return None, None  # only the issuer's own address: the customer's C.P. was not read
    return best[1], best[2]


def find_period(cells: list[Cell], folded: list[str]) -> tuple[dt.date, dt.date] | None:
    """The billing period (start, end): after a period label (the rest of its row, else the
    cell under it) first, then any single cell holding a range."""
    for index, line in enumerate(folded):
        match = _PERIOD_LABEL.search(line)
        if not match:
            continue
        for text in _after_label_texts(cells, index, match.end()):
            period = period_in(text, loose=True)
            if period is not None:
                return period
    for cell in cells:
        period = period_in(cell.text)
        if period is not None:
            return period
    return None


def _after_label_texts(cells: list[Cell], index: int, end: int) -> list[str]:
    """Where a label's value may be: the rest of its cell plus the cells right of it on its
    row, then the cell under the label."""
    label = cells[index]
    right = sorted((c for c in cells if c.row == label.row and c.x > label.x), key=lambda c: c.x)
    texts = [" ".join([label.text[end:], *(c.text for c in right)])]
    below = column_below(cells, index)
    if below is not None and not _is_date_label(cells[below].text):
        texts.append(cells[below].text)
    return texts


def _is_date_label(text: str) -> bool:
    """Whether a cell is itself a date label (the next field's line, not this label's value).

    >>> _is_date_label("Fecha límite de pago: 30/06/2026"), _is_date_label("14/06/2026")
    (True, False)
    """
    folded = text_lines.fold(text)
    return any(p.search(folded) for p in (_PERIOD_LABEL, _ISSUE_LABEL, _DUE_LABEL))


def period_in(text: str, loose: bool = False) -> tuple[dt.date, dt.date] | None:
    """The first billing period (a date range or a month span) in ``text``; with ``loose``
    (a line labelled as a period) two dates in order count even when OCR lost the dash.

    >>> period_in("PERIODO FACTURADO: 12 SEP 26 - 13 NOV 26")
    (datetime.date(2026, 9, 12), datetime.date(2026, 11, 13))
    >>> period_in("BIMESTRE ENE-FEB 2026")
    (datetime.date(2026, 1, 1), datetime.date(2026, 2, 28))
    >>> period_in("TOTAL $ 120.00") is None
    True
    >>> period_in("PERIODO FACTURADO: 12 SEP 26 13 NOV 26", loose=True)
    (datetime.date(2026, 9, 12), datetime.date(2026, 11, 13))
    """
    found = dates.find_dates(text)
    for match in found:
        if match.kind in ("range", "period") and match.start < match.end:
            return match.start, match.end
    days = [m.start for m in found if m.kind == "day"]
    if loose and len(days) >= 2 and 0 < (days[1] - days[0]).days <= MAX_PERIOD_DAYS:
        return days[0], days[1]
    return None


def find_labeled_date(
    cells: list[Cell], folded: list[str], label: re.Pattern[str]
) -> dt.date | None:
    """The date printed after ``label``: on its row, or under it."""
    for index, line in enumerate(folded):
        match = label.search(line)
        if not match:
            continue
        for text in _after_label_texts(cells, index, match.end()):
            value = dates.parse_date(text)
            if value is not None:
                return value
    return None


def recency_date(
    period: tuple[dt.date, dt.date] | None, issue: dt.date | None, due: dt.date | None
) -> tuple[dt.date | None, str]:
    """The date recency is measured from: the period's end, else the issue date, else the
    payment due date (a bill is issued before it is due, so this errs on the recent side).

    >>> recency_date((dt.date(2026, 9, 12), dt.date(2026, 11, 13)), dt.date(2026, 11, 15), None)
    (datetime.date(2026, 11, 13), 'period_end')
    >>> recency_date(None, None, dt.date(2026, 11, 30))
    (datetime.date(2026, 11, 30), 'due_date')
    """
    if period is not None:
        return period[1], "period_end"
    if issue is not None:
        return issue, "issue_date"
    if due is not None:
        return due, "due_date"
    return None, ""


_NAME_LINE = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ' .\-]{5,}")


@dataclass(frozen=True)
class AddressBlock:
    """The customer's address block: holder line (when it heads the block), address, C.P."""

    holder: str | None
    address: str | None
    codigo_postal: str | None


def find_address(cells: list[Cell], folded: list[str]) -> AddressBlock:
    """The address block: the cells stacked above the customer's C.P. in its column (issuer
    lines dropped); a digit-free first line heading 3+ lines is the holder's name."""
    cp_index, cp = _find_cp(cells, folded)
    if cp_index is None:
        return AddressBlock(None, None, None)
    block = [
        i
        for i in column_above(cells, cp_index, 4)
        if i == cp_index or not (_RFC.search(folded[i]) or find_issuer(folded[i])[0])
    ]
    holder = None
    first = block[0]
    if (
        len(block) >= 3
        and _NAME_LINE.fullmatch(cells[first].text.strip())
        and not (_STREET.search(folded[first]) or _LOCALITY.search(folded[first]))
    ):
        holder = cells[first].text.strip()
        block = block[1:]
    address = ", ".join(cells[i].text.strip() for i in block)
    return AddressBlock(holder, address, cp)


def column_above(cells: list[Cell], index: int, limit: int, max_skip: int = 3) -> list[int]:
    """Indexes of up to ``limit`` cells stacked above ``cells[index]`` in its column (left
    edges aligned, at most ``max_skip`` rows apart), top first, ending with ``index``."""
    chosen = [index]
    current = cells[index]
    while len(chosen) <= limit:
        above = [
            i
            for i, c in enumerate(cells)
            if current.row - max_skip <= c.row < current.row
            and abs(c.x - cells[index].x) <= cells[index].tolerance
        ]
        if not above:
            break
        nearest = max(above, key=lambda i: cells[i].row)
        chosen.insert(0, nearest)
        current = cells[nearest]
    return chosen


def _find_cp(cells: list[Cell], folded: list[str]) -> tuple[int | None, str | None]:
    """The customer's C.P.: every C.P. printed is scored, and the issuer's own address
    (next to its RFC or its name, in the header) loses to the one in an address block."""
    best: tuple[float, int, str] | None = None
    for index, line in enumerate(folded):
        labelled = _CP_LABEL.search(line)
        bare = None if labelled else _CP_BARE.search(line)
        if bare and not _LOCALITY.search(line):
            continue
        match = labelled or bare
        if match is None:
            continue
        score = _cp_score(cells, folded, index) + (1.0 if labelled else 0.0)
        if best is None or score > best[0]:
            best = (score, index, match.group(1).translate(_DIGITS))
    if best is None or best[0] < 0:
        return None, None  # only the issuer's own address: the customer's C.P. was not read
    return best[1], best[2]


_BARE_CP_LABEL = re.compile(r"(?:C\.?\s*P|CODIGO\s+POSTAL)\.?\s*:?$")
_LEADING_CP = re.compile(r"^[0-9OIlSB]{5}(?![0-9])")


def join_split_postcodes(cells: list[Cell]) -> list[Cell]:
    """Put a C.P. label back together with its five digits when the OCR line grouping set
    them on neighbouring rows (a slightly tilted photo, or a digit box taller than its line):
    the digits' cell starts right after a cell that ends with a bare ``C.P.`` label, one row
    above or below it.

    >>> cells = [Cell("02080", 169, 7, 87, 221), Cell("C.P.", 125, 8, 47, 159),
    ...          Cell("AZCAPOTZALCO, CDMX", 220, 8, 47, 376)]
    >>> [(c.text, c.row) for c in join_split_postcodes(cells)]
    [('C.P. 02080', 8), ('AZCAPOTZALCO, CDMX', 8)]
    """
    joined = list(cells)
    for label in cells:
        if not label.right or not _BARE_CP_LABEL.search(text_lines.fold(label.text).strip()):
            continue
        digits = _digits_after(joined, label)
        if digits is not None:
            index = joined.index(label)
            joined[index] = replace(label, text=f"{label.text} {digits.text}", right=digits.right)
            joined.remove(digits)
    return joined


def _digits_after(cells: list[Cell], label: Cell) -> Cell | None:
    """A cell of five leading digits on the row above or below ``label``, starting within a
    glyph height or two of its right edge."""
    gap = label.tolerance  # 2.5 glyph heights (OCR) / 3 characters (text layer)
    for cell in cells:
        if (
            abs(cell.row - label.row) == 1
            and label.right - gap / 2 <= cell.x <= label.right + gap
            and _LEADING_CP.match(cell.text.strip())
        ):
            return cell
    return None


_LOCALITY = re.compile(r"\b(?:COL\.?|COLONIA|CDMX|CIUDAD DE MEXICO|MEXICO,? D\.?F|DEL\.?|ALC\.?)\b")
#: an RFC label, or an RFC (3-4 letters, YYMMDD, 3-character homoclave; OCR may cut its first
#: letters off, but it keeps a letter somewhere, unlike a 9-digit account number)
_RFC = re.compile(r"\bR\.?F\.?C\b|\b(?=[A-Z0-9&]*[A-Z])[A-Z&]{0,4}\d{6}[A-Z0-9]{3}\b")


def _cp_score(cells: list[Cell], folded: list[str], index: int) -> float:
    """Evidence that the C.P. on line ``index`` is the customer's address."""
    block = column_above(cells, index, 4)
    texts = [folded[i] for i in block]
    score = 0.0
    if any(_RFC.search(t) or find_issuer(t)[0] for t in texts[-2:]):
        score -= 3.0
    if any(_STREET.search(t) or re.search(r"\b(?:COL\.?|COLONIA)\b", t) for t in texts):
        score += 1.0
    if len(block) >= 3:
        score += 0.5
    return score


_DIGITS = str.maketrans({"O": "0", "I": "1", "L": "1", "S": "5", "B": "8"})


def find_holder(cells: list[Cell], folded: list[str]) -> str | None:
    """The account holder named after a NOMBRE/TITULAR/CLIENTE label (None when unlabelled:
    the address block's first line is used instead)."""
    for index, line in enumerate(folded):
        match = _HOLDER_LABEL.search(line)
        if match:
            rest = cells[index].text[match.end() :].strip(" :.")
            if len(rest) > 3:
                return rest
            below = column_below(cells, index)
            if below is not None:
                return cells[below].text.strip()
    return None


def column_below(cells: list[Cell], index: int, max_rows: int = 2) -> int | None:
    """The first cell under ``cells[index]`` in its column, at most ``max_rows`` rows down
    (a photographed page may put a stray mark's row between a label and its value)."""
    ref = cells[index]
    below = [
        (cell.row, i)
        for i, cell in enumerate(cells)
        if ref.row < cell.row <= ref.row + max_rows and abs(cell.x - ref.x) <= ref.tolerance
    ]
    return min(below)[1] if below else None
