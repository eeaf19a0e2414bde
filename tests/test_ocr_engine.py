"""The tesseract wrapper: real tesseract calls on small rendered images, typed failures."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.engines.tesseract import MRZ_WHITELIST, OcrEngine, OcrText, OcrWord
from pipeline.errors import EngineMissing, EngineTimeout


def _render(text: str, width: int = 760) -> np.ndarray:
    img = np.full((80, width, 3), 255, np.uint8)
    cv2.putText(img, text, (10, 55), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (0, 0, 0), 3)
    return img


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    engine = OcrEngine(timeout=20)
    engine.check()
    return engine


def test_check_reports_version(engine: OcrEngine) -> None:
    assert engine.check().split(".")[0] in {"4", "5"}


def test_text_reads_bgr_and_grey(engine: OcrEngine) -> None:
    bgr = _render("FECHA 12/09/2026")
    for image in (bgr, cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)):
        read = engine.text(image, lang="spa", psm=7)
        assert "12/09/2026" in read.text
        assert 0.5 < read.confidence <= 1.0


def test_data_gives_boxes_in_order(engine: OcrEngine) -> None:
    read = engine.data(_render("UNO DOS TRES"), lang="eng", psm=7)
    assert [w.text for w in read.words] == ["UNO", "DOS", "TRES"]
    lefts = [w.left for w in read.words]
    assert lefts == sorted(lefts)
    assert all(w.right > w.left and w.bottom > w.top for w in read.words)


def test_whitelist_restricts_characters(engine: OcrEngine) -> None:
    read = engine.text(_render("P<MEX 123"), lang="eng", psm=7, whitelist=MRZ_WHITELIST)
    assert set(read.text.replace(" ", "").replace("\n", "")) <= set(MRZ_WHITELIST)


def test_blank_image_reads_nothing(engine: OcrEngine) -> None:
    read = engine.text(np.full((60, 200), 255, np.uint8))
    assert read.text == "" and read.confidence == 0.0


def test_timeout_raises_engine_timeout(engine: OcrEngine) -> None:
    big = np.tile(_render("TIEMPO AGOTADO " * 3, width=1600), (12, 2, 1))
    with pytest.raises(EngineTimeout):
        engine.text(big, timeout=0.01)


def test_last_attempt_reads_a_timeout_as_blank() -> None:
    """A call that keeps timing out (tesseract spinning on noise) reads as blank on the last try."""
    engine = OcrEngine()
    engine.timeouts_read_as_blank = True
    big = np.tile(_render("TIEMPO AGOTADO " * 3, width=1600), (12, 2, 1))
    read = engine.text(big, timeout=0.01)
    assert read.words == () and read.confidence == 0.0


def test_missing_binary_raises_engine_missing() -> None:
    broken = OcrEngine(tesseract_cmd="/nonexistent/tesseract")
    with pytest.raises(EngineMissing):
        broken.text(_render("X"))


def test_non_image_is_a_value_error(engine: OcrEngine) -> None:
    with pytest.raises(ValueError):
        engine.text(np.zeros((0, 0), np.uint8))
    with pytest.raises(ValueError):
        engine.text(np.zeros((10, 10), np.float32))


def test_ocrtext_lines_and_confidence() -> None:
    words = (
        OcrWord("A", 0.5, 0, 0, 5, 5, (1, 1, 1)),
        OcrWord("B", 1.0, 6, 0, 5, 5, (1, 1, 1)),
        OcrWord("C", 0.0, 0, 9, 5, 5, (1, 1, 2)),
    )
    read = OcrText(words)
    assert read.lines == ["A B", "C"]
    assert read.text == "A B\nC"
    assert read.confidence == pytest.approx(0.5)


def test_in_process_and_executable_read_the_same(engine: OcrEngine) -> None:
    """The default engine (Tesseract's API, models loaded once) and the executable give the same
    words, boxes and confidences: the same library, the same pixels, the same settings."""
    cli = OcrEngine(tesseract_cmd="tesseract")
    page = np.vstack([_render("CALLE PINO 12 COL. CENTRO"), _render("C.P. 06700 12/09/2026")])
    for image, lang, psm, whitelist in (
        (page, "spa", 6, None),
        (cv2.cvtColor(page, cv2.COLOR_BGR2GRAY), "spa", 11, None),
        (_render("P<MEX 123"), "eng", 7, MRZ_WHITELIST),
    ):
        ours = engine.data(image, lang=lang, psm=psm, whitelist=whitelist)
        theirs = cli.data(image, lang=lang, psm=psm, whitelist=whitelist)
        assert ours.words == theirs.words and ours.words


def test_whitelist_does_not_stick_to_later_calls(engine: OcrEngine) -> None:
    engine.text(_render("ABC 123"), lang="eng", psm=7, whitelist="0123456789")
    assert "ABC" in engine.text(_render("ABC 123"), lang="eng", psm=7).text
