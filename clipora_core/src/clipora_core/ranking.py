"""Clips best first: by score, highest first. Presentation only: clip ids, file names and the
plan's order on disk never change."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def score_total(obj: Any) -> float | None:
    """The score total of an artifact, a plan segment or a plain dict of either (None: none)."""
    score = obj.get("score") if isinstance(obj, dict) else getattr(obj, "score", None)
    if isinstance(score, dict):
        score = score.get("total")
    elif score is not None:
        score = getattr(score, "total", None)
    return float(score) if isinstance(score, int | float) else None


def best_first(items: Iterable[T], total: Callable[[T], float | None] = score_total) -> list[T]:
    """``items`` with the highest score first; equal scores, and then unscored items, keep the
    order they came in (the plan's)."""
    listed = list(items)
    keyed = [(total(x), n) for n, x in enumerate(listed)]
    order = sorted(
        range(len(listed)),
        key=lambda n: (keyed[n][0] is None, -(keyed[n][0] or 0.0), keyed[n][1]),
    )
    return [listed[n] for n in order]
