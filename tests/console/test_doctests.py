"""Run the doctests of the console package (``console/`` is not in pytest's testpaths)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import console

MODULES = sorted(name for _, name, _ in pkgutil.iter_modules(console.__path__, prefix="console."))


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
