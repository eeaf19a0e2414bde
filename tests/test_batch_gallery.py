"""``llave-verify batch --gallery FILE``: a local run searches duplicates in an encrypted file."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest
from cryptography.fernet import Fernet

from commands import batch
from pipeline.gallery import Gallery


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    batch.add_arguments(parser)
    return parser.parse_args(list(argv))


def _gallery_file(path: Path, key: bytes) -> Path:
    gallery = Gallery()
    gallery.add("acc-1", "CURP", "s-1", np.full(128, 0.05, dtype=np.float32))
    gallery.save(path, key)
    return path


def test_local_run_loads_the_gallery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = Fernet.generate_key()
    monkeypatch.setenv("LLAVE_GALLERY_KEY", key.decode())
    file = _gallery_file(tmp_path / "gallery.enc", key)
    args = _args(
        "cases", "--out", str(tmp_path), "--cache", str(tmp_path / "c"), "--gallery", str(file)
    )
    ctx = batch._local_context(args)
    assert ctx.gallery is not None and "acc-1" in ctx.gallery
    without = batch._local_context(_args("cases", "--out", str(tmp_path), "--cache", str(tmp_path)))
    assert without.gallery is None


def test_wrong_key_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _gallery_file(tmp_path / "gallery.enc", Fernet.generate_key())
    monkeypatch.setenv("LLAVE_GALLERY_KEY", Fernet.generate_key().decode())
    (tmp_path / "cases").mkdir()
    args = _args(
        str(tmp_path / "cases"),
        "--out",
        str(tmp_path / "out"),
        "--cache",
        str(tmp_path / "c"),
        "--gallery",
        str(file),
    )
    assert batch.run(args) == 2
    assert "wrong gallery key" in capsys.readouterr().err


def test_queue_refuses_a_local_gallery(tmp_path: Path) -> None:
    args = _args("cases", "--out", str(tmp_path), "--queue", "--gallery", str(tmp_path / "g"))
    assert batch.run(args) == 2
