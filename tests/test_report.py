"""The HTML report: its figures from a synthetic run, and the page rendered in Chromium."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from analysis.report import RunError, build_report, face_distance, load_run, render_html
from commands import main
from tests._runs import make_cases, policy, write_run

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "screenshots" / "report.png"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """A 70-case labelled run decided under a policy with thresholds 0.5 / 0.6."""
    root = tmp_path_factory.mktemp("report")
    labels, distances = make_cases(70, seed=5)
    write_run(root / "run", labels, distances, policy("p-test", 0.5, 0.6))
    (root / "labels.json").write_text(json.dumps({"cases": labels}), encoding="utf-8")
    return root / "run", root / "labels.json", labels


def test_report_figures_match_the_run(run: tuple[Path, Path, dict]) -> None:
    run_dir, _, labels = run
    report = build_report(run_dir, labels)
    assert report.cases == 70
    assert report.thresholds == {
        "faces.match_max_distance": 0.5,
        "faces.mismatch_min_distance": 0.6,
    }
    assert report.policy_versions == {"p-test": 70}
    assert sum(map(sum, report.confusion)) == 70
    ev = report.evaluation
    assert ev is not None and ev.cases == 70
    # every face_mismatch case is an impostor pair; selfie_no_face cases have no distance
    assert len(report.distances["impostor"]) == 10
    assert len(report.distances["genuine"]) == 50
    assert report.distances["unlabelled"] == []
    assert [stage for stage, *_ in report.timings] == [
        "decode",
        "id_document",
        "address_proof",
        "faces",
        "total",
    ]
    for _, p50, p95 in report.timings:
        assert 0 < p50 <= p95
    assert sum(n for *_, n in report.calibration) == 70
    assert set(report.reasons) >= {"CURP_MISMATCH", "ID_EXPIRED", "SELFIE_NO_FACE"}


def test_report_without_labels_still_shows_what_the_verdicts_hold(
    run: tuple[Path, Path, dict],
) -> None:
    report = build_report(run[0])
    assert report.evaluation is None and report.confusion == []
    assert len(report.distances["unlabelled"]) == 60
    page = render_html(report)
    assert "pass <code>--labels labels.json</code>" in page
    assert page.count("<img ") == 4  # reasons, distances, confidence, timings


def test_load_run_skips_files_that_are_not_verdicts(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"decision": "verified"}', encoding="utf-8")
    (tmp_path / "b.json").write_text("not json", encoding="utf-8")
    (tmp_path / "c.json").write_text('{"decision": "maybe"}', encoding="utf-8")
    (tmp_path / "labels.json").write_text('{"cases": {}}', encoding="utf-8")
    assert list(load_run(tmp_path)) == ["a"]
    with pytest.raises(RunError):
        load_run(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunError, match="no verdict"):
        build_report(tmp_path / "empty")


def test_face_distance_reads_dotted_and_nested_keys() -> None:
    assert face_distance({"extracted": {"face.distance": 0.41}}) == 0.41
    assert face_distance({"extracted": {"face": {"distance": 0.3}}}) == 0.3
    assert face_distance({"extracted": {"face.distance": None}}) is None
    assert face_distance({}) is None


def test_report_command_errors_are_messages_not_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path / "nope"), "--html", str(tmp_path / "r.html")]) == 2
    assert "not a folder" in capsys.readouterr().err
    bad_labels = tmp_path / "labels.json"
    bad_labels.write_text("[]", encoding="utf-8")
    args = ["report", str(tmp_path), "--labels", str(bad_labels), "--html", str(tmp_path / "r")]
    assert main(args) == 2
    assert "not a labels.json" in capsys.readouterr().err


@pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs /usr/bin/chromium")
def test_report_renders_in_chromium_with_every_plot_loaded(
    run: tuple[Path, Path, dict], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    run_dir, labels_path, _ = run
    page_path = tmp_path / "report.html"
    code = main(["report", str(run_dir), "--labels", str(labels_path), "--html", str(page_path)])
    assert code == 0
    text = page_path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=['"](?!data:)""", text), "page must be self-contained"
    external: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "request",
                lambda r: (
                    external.append(r.url) if not r.url.startswith(("data:", "file:")) else None
                ),
            )
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.alt, e.complete, e.naturalWidth])"
            )
            assert len(images) == 8, images
            assert all(complete and width > 0 for _, complete, width in images), images
            assert page.inner_text("#misrouted h2").startswith("Misrouted")
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert external == []
