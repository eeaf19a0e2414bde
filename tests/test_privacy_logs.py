"""Privacy: fixture cases run through the batch runner and through the worker's job path with
every logger at DEBUG; no log line and no exception carries a name, CURP, address or document
number of those cases. The duplicate gallery is encrypted at rest.

What is scanned:

* every line the JSON formatter of the workers (``workers.worker.JsonFormatter``, the only log
  format in production) wrote, from our loggers, RQ's and every library's;
* the *raw* message of every record of our own loggers (``llave.*``), before formatting, and
  the message of any exception attached to a record;
* the errors the batch runner reports per case, and the exception text of any failed job.

The values searched are every registration field (``case.json``: names, CURP, street, colonia,
municipio) and every read field of ``labels.json`` (names, CURP, clave de elector, document
number), compared without accents or case, as whole words. ``LLAVE_PRIVACY_CASES`` sets how
many fixture cases run (default 3, one per outcome; ``all`` for the whole set: slow).
"""

from __future__ import annotations

import json
import logging
import os
import re
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from pipeline.orchestrator import Context
from tests.conftest import FIXTURE_CASES
from tests.redis_service import RedisService
from workers import accounts, jobs
from workers.cache import DirectoryCache
from workers.client import submit, upload_case
from workers.local import find_cases, load_labels
from workers.logs import SubmissionFilter, submission_scope
from workers.queue import get_queue
from workers.settings import Settings
from workers.storage import LocalStore
from workers.worker import JsonFormatter, LlaveWorker

pytestmark = pytest.mark.skipif(not FIXTURE_CASES.is_dir(), reason="no fixtures/cases")
#: one case per outcome: verified (passport), review (address mismatch), resubmit (bad file)
DEFAULT_CASES = ("case-0009", "case-0024", "case-0008")
PERSONAL_FIELDS = ("nombre", "primer_apellido", "segundo_apellido", "curp")
ADDRESS_FIELDS = ("calle", "colonia", "municipio")
TRUTH_FIELDS = (
    "id.curp",
    "id.nombre",
    "id.primer_apellido",
    "id.segundo_apellido",
    "id.clave_elector",
    "id.numero_documento",
)


def plain(text: str) -> str:
    """Upper case without accents: the form values are compared in.

    >>> plain("Zúñiga Inés")
    'ZUNIGA INES'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def chosen_cases() -> list[Path]:
    wanted = os.environ.get("LLAVE_PRIVACY_CASES", "")
    folders = find_cases(FIXTURE_CASES)
    if wanted == "all":
        return folders
    if wanted.isdigit():
        return folders[: int(wanted)]
    return [FIXTURE_CASES / name for name in DEFAULT_CASES]


def personal_values(folders: list[Path]) -> set[str]:
    """Every personal value of the cases (registration and labelled truth), plain form."""
    labels = load_labels(FIXTURE_CASES / "labels.json")
    values: set[str] = set()
    for folder in folders:
        registration = json.loads((folder / "case.json").read_text("utf-8"))["registration"]
        values |= {str(registration.get(f) or "") for f in PERSONAL_FIELDS}
        values |= {str(registration["domicilio"].get(f) or "") for f in ADDRESS_FIELDS}
        truth = labels.get(folder.name, {}).get("truth", {})
        values |= {str(truth.get(f) or "") for f in TRUTH_FIELDS}
    return {plain(v).strip() for v in values if len(v.strip()) >= 3}


class Capture(logging.Handler):
    """Writes every record's JSON line and, for our loggers, its raw message and exception, to
    files (the worker forks a horse per job: its records must survive the horse)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(logging.DEBUG)
        self.json_path, self.raw_path = folder / "json.log", folder / "raw.log"
        self._json = open(self.json_path, "a", encoding="utf-8")  # noqa: SIM115
        self._raw = open(self.raw_path, "a", encoding="utf-8")  # noqa: SIM115
        self.formatter_ = JsonFormatter()
        self.addFilter(SubmissionFilter())  # as setup_json_logging installs it

    def emit(self, record: logging.LogRecord) -> None:
        self._json.write(self.formatter_.format(record) + "\n")
        self._json.flush()
        if record.name.startswith("llave"):
            texts = [record.getMessage()]
            if record.exc_info and record.exc_info[1] is not None:
                texts.append(str(record.exc_info[1]))
            self._raw.write("".join(json.dumps(t) + "\n" for t in texts))
            self._raw.flush()

    def close(self) -> None:
        self._json.close()
        self._raw.close()
        super().close()

    @property
    def json_lines(self) -> list[str]:
        return self.json_path.read_text("utf-8").splitlines()

    @property
    def raw(self) -> list[str]:
        return [json.loads(line) for line in self.raw_path.read_text("utf-8").splitlines()]


@pytest.fixture
def capture(tmp_path: Path) -> Iterator[Capture]:
    handler = Capture(tmp_path)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


def leaks(texts: list[str], values: set[str]) -> list[tuple[str, str]]:
    """(value, text) pairs where a personal value appears as whole words in a text."""
    patterns = {v: re.compile(rf"(?<![A-Z0-9]){re.escape(v)}(?![A-Z0-9])") for v in values}
    found = []
    for text in texts:
        flat = plain(text)
        found += [(v, text[:200]) for v, pattern in patterns.items() if pattern.search(flat)]
    return found


def test_fixture_runs_log_no_personal_data(  # type: ignore[no-untyped-def]
    engines, policy, capture, tmp_path, tmp_path_factory
) -> None:
    from workers.batch import run_batch

    folders = chosen_cases()
    values = personal_values(folders)
    assert len(values) >= 5 * len(folders) // 2, "the scan needs values to look for"
    cache = DirectoryCache(tmp_path / "cache")
    ctx = Context(engines=engines, policy=policy, cache=cache)

    results = list(run_batch(folders, tmp_path / "out", ctx, workers=1))
    assert all(result.decision for result in results), [r.error for r in results]
    exceptions = [result.error for result in results if result.error]

    service = RedisService(tmp_path_factory.mktemp("redis-privacy"), persist=False)
    try:
        exceptions += run_worker_path(folders, ctx, service, tmp_path)
    finally:
        service.stop()

    assert capture.json_lines, "nothing was logged"
    logged = capture.json_lines
    assert any('"msg": "verdict stored"' in line for line in logged), "no job logged"
    assert any('"logger": "llave.' in line and "submission_id" in line for line in logged)
    found = leaks(capture.json_lines + capture.raw + exceptions, values)
    assert found == [], found[:5]


def run_worker_path(folders: list[Path], ctx: Context, service: RedisService, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Upload the cases, enqueue them with the client, run an LlaveWorker until done; returns
    the exception texts of failed jobs (none expected)."""
    settings = Settings.from_env(
        {"LLAVE_REDIS_URL": service.url, "LLAVE_LOCAL_STORE": str(tmp_path / "objects")}
    )
    store = LocalStore(settings.local_root)
    r = service.client()
    saved = jobs._STATE, dict(jobs._CLIENTS)
    jobs._STATE, jobs._CLIENTS = jobs.WorkerState(settings=settings, context=ctx), {}
    try:
        sids = []
        for folder in folders:
            payload = upload_case(folder, store, settings.upload_bucket)
            submit(payload, settings=settings, connection=r)
            sids.append(payload.submission_id)
        queue = get_queue(r)
        worker = LlaveWorker.configured(
            settings, [queue], name=f"w-{uuid.uuid4().hex[:6]}", connection=r
        )
        worker.work(burst=True, with_scheduler=False, logging_level="DEBUG")
        assert all(accounts.get_submission_record(r, sid) for sid in sids)
        failed = queue.failed_job_registry.get_job_ids()
        return [str(queue.fetch_job(job_id).latest_result().exc_string) for job_id in failed]
    finally:
        jobs._STATE, jobs._CLIENTS = saved[0], saved[1]
        r.close()


def test_gallery_file_holds_no_template_bytes(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Encrypted at rest with the key from the environment: neither the float32 bytes of a
    template nor an account id or CURP appear in the file, and it does not load without the key."""
    from cryptography.fernet import Fernet

    from pipeline.gallery import Gallery, GalleryError

    monkeypatch.setenv("LLAVE_GALLERY_KEY", Fernet.generate_key().decode())
    rng = np.random.default_rng(7)
    templates = rng.normal(size=(3, 128)).astype(np.float32)
    gallery = Gallery()
    for i, vector in enumerate(templates):
        gallery.add(f"acc-secret-{i}", "ZUVI810107MOCXRN76", f"sub-{i}", vector)
    path = tmp_path / "gallery.bin"
    gallery.save(path)

    data = path.read_bytes()
    for vector in templates:
        assert vector.tobytes() not in data
        assert vector[:4].tobytes() not in data  # not even 16 bytes of it
    assert b"ZUVI810107MOCXRN76" not in data and b"acc-secret" not in data
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    loaded = Gallery.load(path)
    assert loaded.search(templates[1], k=1)[0].account_id == "acc-secret-1"

    monkeypatch.delenv("LLAVE_GALLERY_KEY")
    with pytest.raises(GalleryError):
        Gallery.load(path)
    with pytest.raises(GalleryError):
        gallery.save(tmp_path / "plain.bin")  # refused without a key
    monkeypatch.setenv("LLAVE_GALLERY_KEY", Fernet.generate_key().decode())
    with pytest.raises(GalleryError):
        Gallery.load(path)  # wrong key


def test_every_line_inside_a_job_is_keyed_by_its_submission(capture) -> None:  # type: ignore[no-untyped-def]
    """Library records logged while a case runs carry its id; others do not get one."""
    with submission_scope("sub-keyed"):
        logging.getLogger("pypdf._reader").warning("EOF marker not found")
        logging.getLogger("llave.jobs").info("case fetched", extra={"submission_id": "sub-own"})
    logging.getLogger("rq.worker").info("idle")
    lines = [json.loads(line) for line in capture.json_lines]
    assert [line.get("submission_id") for line in lines] == ["sub-keyed", "sub-own", None]
