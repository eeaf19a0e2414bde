"""Property-based tests (hypothesis) of the parsers not covered elsewhere: job payload and case
validation, upload decoding, the proof-of-address and ID text parsers, names.

MRZ, CURP and date parsers have their own properties in ``tests/test_mrz.py``,
``tests/test_curp.py`` and ``tests/test_dates.py``. The property here is mostly the security
one: whatever the input, the parser returns a value or raises its documented validation error,
never anything else, and a validation message never echoes the input's values.
"""

from __future__ import annotations

import io
import json
import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from models.case import _safe_object_key
from pipeline import address_proof, names
from pipeline.id.curp_values import curp_candidates
from pipeline.id.fields import day_dates
from pipeline.id.name_parts import split_name_lines, split_surnames
from pipeline.uploads import Limits, decode_upload
from tests import hostile
from workers.jobs import InvalidPayload, parse_payload
from workers.local import CaseFolderError, read_case_folder
from workers.storage import InvalidObjectKey, check_key

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: every value the generated payloads carry starts with this, so a leak is easy to spot
MARK = "QZV"
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30).map(lambda s: MARK + s),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "submission_id",
    "account_id",
    "submitted_at",
    "bucket",
    "registration",
    "registration.nombre",
    "registration.primer_apellido",
    "registration.segundo_apellido",
    "registration.curp",
    "registration.fecha_nacimiento",
    "registration.sexo",
    "registration.entidad_nacimiento",
    "registration.domicilio",
    "registration.domicilio.calle",
    "registration.domicilio.colonia",
    "registration.domicilio.codigo_postal",
    "documents",
    "documents.id_type",
    "documents.id_front",
    "documents.id_back",
    "documents.selfie",
    "documents.address_proof",
]


def set_path(doc: dict, path: str, value: object) -> dict:
    node = doc
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    return doc


def assert_no_echo(message: str) -> None:
    assert MARK not in message, message
    assert len(message) < 2000


# --------------------------------------------------------------------------- payloads


@FAST
@given(json_value)
def test_any_json_is_a_payload_or_a_clear_error(value: object) -> None:
    try:
        parse_payload(value)
    except InvalidPayload as exc:
        assert_no_echo(str(exc))


@FAST
@given(st.sampled_from(FIELDS), json_value)
def test_one_bad_field_is_named_without_its_value(path: str, value: object) -> None:
    payload = set_path(hostile.payload_dict(), path, value)
    try:
        parsed = parse_payload(payload)
    except InvalidPayload as exc:
        message = str(exc)
        assert_no_echo(message)
        assert path.split(".")[0] in message
    else:
        assert parsed.submission_id  # a value the model accepts (e.g. a valid string)


control = st.characters(min_codepoint=0, max_codepoint=31) | st.characters(
    min_codepoint=127, max_codepoint=159
)


@FAST
@given(st.text(max_size=60), control, st.text(max_size=60))
def test_control_characters_in_a_name_are_refused(before: str, bad: str, after: str) -> None:
    # inside the text: trailing whitespace controls (\r, \n...) are stripped, not refused
    payload = set_path(
        hostile.payload_dict(), "registration.nombre", MARK + before + bad + "Z" + after
    )
    with pytest.raises(InvalidPayload) as raised:
        parse_payload(payload)
    assert "registration.nombre" in str(raised.value)
    assert_no_echo(str(raised.value))


printable_name = st.text(
    alphabet=st.characters(blacklist_categories=["Cc", "Cf", "Cs"], max_codepoint=0x2FFF),
    max_size=200,
)


@FAST
@given(printable_name)
def test_names_up_to_120_characters_are_accepted_stripped(text: str) -> None:
    payload = set_path(hostile.payload_dict(), "registration.nombre", text)
    try:
        parsed = parse_payload(payload)
    except InvalidPayload:
        assert len(text.strip()) > 120
    else:
        assert parsed.registration.nombre == text.strip() and len(text.strip()) <= 120


key_text = st.text(alphabet=string.ascii_letters + string.digits + "./\\-_ \x00%", max_size=40)


@settings(max_examples=300, deadline=None)
@given(key_text)
@example("a/../b")
@example("./a")
@example("a//b")
def test_a_payload_key_is_always_a_safe_storage_key(key: str) -> None:
    """The payload's key rule never admits a key the object stores would refuse."""
    try:
        _safe_object_key(key)
    except ValueError:
        return
    assert check_key(key) == key
    assert ".." not in key.split("/") and not key.startswith("/")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(alphabet=string.ascii_letters + string.digits + "-_.", min_size=1, max_size=12),
        min_size=1,
        max_size=5,
    )
)
def test_keys_of_plain_segments_are_accepted(segments: list[str]) -> None:
    assume(all(s not in (".", "..") for s in segments))
    key = "/".join(segments)
    assert _safe_object_key(key) == key and check_key(key) == key
    with pytest.raises((ValueError, InvalidObjectKey)):
        _safe_object_key("/".join([*segments, "..", "x"]))


@FAST
@given(st.binary(max_size=300) | json_value.map(lambda v: json.dumps(v).encode()))
def test_any_case_json_is_a_case_or_a_clear_error(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "case"
        folder.mkdir()
        (folder / "case.json").write_bytes(data)
        try:
            read_case_folder(folder)
        except CaseFolderError as exc:
            assert_no_echo(str(exc))


# --------------------------------------------------------------------------- uploads


def _small_png() -> bytes:
    return hostile.encode(hostile.gradient(24, 16), "PNG")


def _small_jpeg() -> bytes:
    return hostile.encode(hostile.gradient(24, 16), "JPEG")


SEEDS = {"png": _small_png(), "jpeg": _small_jpeg(), "pdf": hostile.pdf_pages(1, "RECIBO")}
LIMITS = Limits(max_bytes=200_000, max_pixels=1_000_000, max_pdf_pages=2)


def assert_upload_sound(upload) -> None:  # type: ignore[no-untyped-def]
    assert upload.kind in ("image", "pdf", "invalid")
    if upload.kind == "image":
        image = upload.image
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
        assert image.shape[0] * image.shape[1] <= LIMITS.max_pixels
    elif upload.kind == "invalid":
        assert upload.problem and upload.image is None


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_are_a_problem(data: bytes) -> None:
    assert_upload_sound(decode_upload("selfie", data, LIMITS))


@FAST
@given(
    st.sampled_from(sorted(SEEDS)),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    st.floats(0.05, 1.0),
)
def test_corrupted_files_decode_or_are_a_problem(kind: str, flips, keep: float) -> None:  # type: ignore[no-untyped-def]
    data = bytearray(SEEDS[kind])
    for position, value in flips:
        data[position % len(data)] = value
    upload = decode_upload("address_proof", bytes(data[: max(1, int(len(data) * keep))]), LIMITS)
    assert_upload_sound(upload)


@FAST
@given(
    st.integers(1, 64),
    st.integers(1, 64),
    st.sampled_from(["1", "L", "P", "RGB", "RGBA", "CMYK", "I;16", "LA"]),
    st.sampled_from(["PNG", "TIFF", "WEBP", "JPEG", "BMP", "GIF"]),
)
def test_every_mode_and_format_becomes_bgr(width: int, height: int, mode: str, fmt: str) -> None:
    img = Image.new(mode, (width, height))
    buffer = io.BytesIO()
    try:
        img.save(buffer, fmt)
    except (OSError, ValueError, KeyError):
        assume(False)  # Pillow cannot write this combination
    upload = decode_upload("id_front", buffer.getvalue(), LIMITS)
    assert upload.kind == "image", upload.problem
    assert upload.image.shape == (height, width, 3)


# --------------------------------------------------------------------------- text parsers

bill_text = st.text(
    alphabet=string.ascii_uppercase + string.digits + " .,:/-$ÁÉÍÓÚÑ\n", max_size=400
)


@FAST
@given(st.lists(bill_text, max_size=12))
def test_bill_parser_never_raises(lines: list[str]) -> None:
    cells = [address_proof.Cell(text, float(i % 3) * 40, i, 3.0) for i, text in enumerate(lines)]
    reading = address_proof.parse_bill(address_proof.BillText(cells=cells, source="pdf-text"))
    if reading.periodo_inicio.value is not None and reading.periodo_fin.value is not None:
        assert reading.periodo_inicio.value <= reading.periodo_fin.value
    if reading.codigo_postal.value is not None:
        assert str(reading.codigo_postal.value).isdigit()


@FAST
@given(st.text(alphabet=string.ascii_letters + string.digits + " .,:$-\t\n", max_size=600))
def test_text_layer_cells_cover_every_word_in_place(text: str) -> None:
    lines = text.splitlines()
    cells = address_proof.text_layer_cells(text)
    for cell in cells:
        assert cell.text == cell.text.strip() and cell.text
        assert lines[cell.row][int(cell.x) :].startswith(cell.text)
    assert [w for c in cells for w in c.text.split()] == [w for line in lines for w in line.split()]


@FAST
@given(bill_text, st.booleans())
def test_period_is_ordered(text: str, loose: bool) -> None:
    found = address_proof.period_in(text, loose=loose)
    if found is not None:
        assert found[0] < found[1]


@FAST
@given(st.text(max_size=200))
def test_issuer_is_known_or_none(text: str) -> None:
    emisor, servicio = address_proof.find_issuer(text)
    assert (emisor is None) == (servicio is None)


@FAST
@given(
    st.text(alphabet=string.ascii_uppercase + string.digits + " O<", max_size=80),
    st.one_of(st.none(), st.integers(1900, 2030)),
)
def test_curp_candidates_are_curp_shaped(text: str, year: int | None) -> None:
    for candidate in curp_candidates(text, year):
        assert len(candidate) == 18 and candidate.isalnum()


@FAST
@given(st.text(max_size=120), st.booleans())
def test_id_dates_never_raise(text: str, birth: bool) -> None:
    for day in day_dates(text, birth=birth):
        assert 1900 <= day.year <= 2100


name_word = st.text(alphabet="ABCDEFGHIJKLMNÑOPQRSTUVWXYZÁÉÍÓÚ", min_size=1, max_size=10)


@FAST
@given(
    st.lists(st.lists(name_word, min_size=1, max_size=4).map(" ".join), max_size=5),
    st.one_of(st.none(), st.text(max_size=20)),
)
def test_name_lines_split_into_the_three_fields(lines: list[str], curp: str | None) -> None:
    split = split_name_lines(lines, curp)
    assert set(split) <= {"nombre", "primer_apellido", "segundo_apellido"}
    words_in = sorted(" ".join(lines).split())
    words_out = sorted(" ".join(split.values()).split())
    assert set(words_out) <= set(words_in)


@FAST
@given(
    st.lists(name_word, min_size=1, max_size=6).map(" ".join),
    st.one_of(st.none(), st.text(max_size=20)),
)
def test_surnames_split_keeps_every_word(surnames: str, curp: str | None) -> None:
    first, second = split_surnames(surnames, curp)
    assert f"{first} {second}".split() == surnames.split()


# --------------------------------------------------------------------------- names


@FAST
@given(st.text(max_size=80))
def test_normalise_and_comparable_are_idempotent(text: str) -> None:
    once = names.normalise(text)
    assert names.normalise(once) == once
    assert set(once) <= set(string.ascii_uppercase + "Ñ ")
    assert names.comparable(names.comparable(text)) == names.comparable(text)


@FAST
@given(
    st.text(alphabet="ABCDEÑ ", max_size=12),
    st.text(alphabet="ABCDEÑ ", max_size=12),
    st.integers(1, 5),
)
def test_edit_distance_is_a_capped_metric(a: str, b: str, limit: int) -> None:
    d = names.edit_distance(a, b, limit)
    assert d == names.edit_distance(b, a, limit)
    assert 0 <= d <= limit
    assert (d == 0) == (a == b)


@FAST
@given(
    st.tuples(*[st.one_of(st.none(), st.text(max_size=30))] * 3),
    st.tuples(*[st.one_of(st.none(), st.text(max_size=30))] * 3),
)
def test_name_comparison_is_bounded(registered, read) -> None:  # type: ignore[no-untyped-def]
    result = names.compare(registered, read)
    assert result.verdict in ("match", "mismatch", "uncertain")
    assert 0.0 <= result.score <= 1.0


@FAST
@given(st.tuples(name_word, name_word, name_word))
def test_a_name_matches_itself_in_any_case_or_accents(name) -> None:  # type: ignore[no-untyped-def]
    lowered = tuple(part.lower() for part in name)
    assert names.compare(name, lowered).verdict == "match"
