"""Garbage collection tuned for serving: each request allocates many short-lived objects,
and CPython's default (a young-generation collection every 700 allocations, each one
also walking whatever survived before) spends CPU and adds pauses to the latency tail
(what it gained is in docs/performance.md)."""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 50_000  # allocations between collections (default 700)


def tune_for_serving() -> None:
    """Call once the app is built: what exists then (modules, the app, the pool) lives as
    long as the process, so it is frozen out of every later collection."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, 20, 100)
