"""Shared test fixtures.

Engines (tesseract check, poppler, dlib models) load once per test session.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CASES = ROOT / "fixtures" / "cases"


# --- lead: pipeline engines and the committed fixture set -------------------------------------


@pytest.fixture(scope="session")
def engines():
    """The loaded engines, shared by every test of the session."""
    from pipeline.engines import Engines

    return Engines.load()


@pytest.fixture(scope="session")
def policy():
    """The bundled policy."""
    from pipeline.policy import load_policy

    return load_policy()
