"""Shared wiring of the local commands: the policy and the loaded engines."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.orchestrator import Context


def build_context(policy_path: Path | None = None, cache_dir: Path | None = None) -> Context:
    """Load the policy and the engines (once, in this process) for local runs."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from pipeline.engines import Engines
    from pipeline.policy import load_policy

    cache = None
    if cache_dir is not None:
        from workers.cache import DirectoryCache

        cache = DirectoryCache(cache_dir)
    return Context(engines=Engines.load(), policy=load_policy(policy_path), cache=cache)
