"""Keeping clips out of spans where the host is off screen (``analysis.pose_presence``).

This works on the time windows the analyzer has already resolved from an engine's spans, so it is
the same for every engine. A hook must not show an empty set at all; a body window tolerates a
short absence (``min_presence_ratio`` / ``max_absent_gap_seconds``) and is otherwise cut into its
present parts, whose edges land on speech (whole lines when that keeps most of the part, else
whole words) so a cut never clips a syllable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clipora_core.api import PresenceReport, TimeWindow

from clipora_live_commerce.engine import Line
from clipora_live_commerce.timing import LEAD_IN, TAIL, speech_bounds

Span = tuple[float, float]

# An overlap shorter than this is the sample grid's rounding, not a person walking out.
EPSILON = 0.05
# Snap to whole lines when that keeps at least this share of what snapping to words keeps.
LINE_SNAP_SHARE = 0.6


@dataclass(frozen=True)
class PresenceRules:
    absent: list[Span]  # sorted, merged
    min_ratio: float
    max_gap: float
    min_piece: float


def build_rules(
    report: PresenceReport, item_windows: Sequence[TimeWindow], cfg: Any, min_piece: float
) -> tuple[PresenceRules | None, str]:
    """The rules for one item, or ``None`` and why when the report cannot be trusted."""
    decided = [s for s in report.samples if s.status in ("present", "absent")]
    if not decided:
        what = (
            f"all {len(report.samples)} presence samples are uncertain"
            if report.samples
            else "the presence detector returned no samples"
        )
        return None, f"{what}; windows left unchanged"
    absent = [(w.start_seconds, w.end_seconds) for w in report.absent_windows]
    if not absent and not report.present_windows:
        # A report written without its windows: derive them the way the core does.
        from clipora_core.api import presence_windows

        _, windows = presence_windows(
            report.samples, report.sample_interval_seconds, list(item_windows)
        )
        absent = [(w.start_seconds, w.end_seconds) for w in windows]
    rules = PresenceRules(
        absent=merge(absent),
        min_ratio=float(getattr(cfg, "min_presence_ratio", 0.9)),
        max_gap=float(getattr(cfg, "max_absent_gap_seconds", 3.0)),
        min_piece=min_piece,
    )
    return rules, ""


def merge(spans: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + 1e-6:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _span(w: TimeWindow | Span) -> Span:
    return (w.start_seconds, w.end_seconds) if isinstance(w, TimeWindow) else w


def absent_overlaps(frags: Sequence[TimeWindow | Span], absent: Sequence[Span]) -> list[Span]:
    """Where ``frags`` show an empty set (overlaps shorter than ``EPSILON`` ignored)."""
    out = []
    for f in frags:
        fs, fe = _span(f)
        for s, e in absent:
            lo, hi = max(fs, s), min(fe, e)
            if hi - lo > EPSILON:
                out.append((lo, hi))
    return out


def present_share(frags: Sequence[TimeWindow | Span], absent: Sequence[Span]) -> float:
    total = sum(_span(f)[1] - _span(f)[0] for f in frags)
    if total <= 0:
        return 1.0
    missing = sum(e - s for s, e in absent_overlaps(frags, absent))
    return max(0.0, min(1.0, 1.0 - missing / total))


def describe(spans: Sequence[Span]) -> str:
    return "host absent " + ", ".join(f"{s:.1f}-{e:.1f}s" for s, e in spans)


def present_pieces(frags: Sequence[TimeWindow], absent: Sequence[Span]) -> list[Span]:
    """``frags`` minus the absent spans."""
    out: list[Span] = []
    for f in frags:
        cur = f.start_seconds
        for s, e in absent:
            if e <= cur or s >= f.end_seconds:
                continue
            if s > cur:
                out.append((cur, s))
            cur = max(cur, e)
        if f.end_seconds > cur:
            out.append((cur, f.end_seconds))
    return [(s, e) for s, e in out if e - s > EPSILON]


def _word_units(line: Line) -> list[Span]:
    s, e = line.start_seconds, line.end_seconds
    words = [
        (w.start_seconds, w.end_seconds)
        for w in line.words
        if s - 0.05 <= w.start_seconds < w.end_seconds <= e + 0.05
    ]
    return words or [speech_bounds(line)]


def _fit(piece: Span, units: list[Span]) -> Span | None:
    """The stretch of whole ``units`` inside ``piece``, with breathing room taken only from the
    silence next to it and never outside the piece."""
    ps, pe = piece
    inside = [i for i, (s, e) in enumerate(units) if s >= ps - EPSILON and e <= pe + EPSILON]
    if not inside:
        return None
    a, b = inside[0], inside[-1]
    s, e = units[a][0], max(u[1] for u in units[a : b + 1])
    lo = s - LEAD_IN if a == 0 else max(s - LEAD_IN, (units[a - 1][1] + s) / 2)
    hi = e + TAIL if b + 1 >= len(units) else min(e + TAIL, (e + units[b + 1][0]) / 2)
    start, end = max(ps, min(s, lo)), min(pe, max(e, hi))
    return (round(start, 3), round(end, 3)) if end - start > 0.01 else None


def snap_piece(piece: Span, run: Sequence[Line], min_piece: float) -> tuple[Span | None, str]:
    """Snap one present part of a body window to speech: ``(span, "line"|"word"|"none")``, or
    ``(None, why)`` when what is left is shorter than ``min_piece``."""
    by_line = _fit(piece, sorted(speech_bounds(ln) for ln in run))
    by_word = _fit(piece, sorted(u for ln in run for u in _word_units(ln)))

    def dur(x: Span | None) -> float:
        return x[1] - x[0] if x else 0.0

    if by_line and dur(by_line) >= max(min_piece, LINE_SNAP_SHARE * dur(by_word)):
        return by_line, "line"
    if by_word and dur(by_word) >= min_piece:
        return by_word, "word"
    if by_word is None and dur(piece) >= min_piece:
        # One long line without word times: cutting inside it is all that is possible.
        return (round(piece[0], 3), round(piece[1], 3)), "none"
    best = max(dur(by_line), dur(by_word)) if by_word else dur(piece)
    return None, f"{best:.1f} s of speech left, shorter than {min_piece:.1f} s"


def lines_in(span: Span, run: Sequence[Line]) -> list[Line]:
    return [
        ln for ln in run if ln.end_seconds > span[0] + 1e-6 and ln.start_seconds < span[1] - 1e-6
    ]
