"""What every benchmark module shares (not a benchmark itself: ``_`` keeps it out of the run)."""

from __future__ import annotations

import statistics
from collections.abc import Callable


def median(fn: Callable[[], float], runs: int) -> float:
    """The median of ``runs`` timings returned by ``fn``."""
    return statistics.median(fn() for _ in range(runs))


def row(name: str, app: float, floor: float, goal: str, note: str) -> dict:
    """One line of the benchmark table: app and floor seconds and their ratio."""
    return {
        "name": name,
        "app_seconds": round(app, 4),
        "floor_seconds": round(floor, 4),
        "ratio": round(app / floor, 2) if floor > 0 else float("inf"),
        "goal": goal,
        "note": note,
    }
