"""Tight bodies: filler words and long pauses cut out of a clip's body windows.

A body window is split around what is removed, so the renderer (which plays windows one after
another) and the subtitles (built from the windows) follow without knowing about it. Every cut
lies in the gap between two kept words, never inside one, and keeps a little of the pause on
each side: a join with no breath at all sounds like a glitch.

Fillers come in three kinds. Hesitation sounds (嗯, 呃, um, uh) mean nothing wherever they
stand, so a word that is exactly one of them goes. Words that are fillers only sometimes (啊 is
also a sentence-final particle, "like" also a verb) go only when standalone: a pause or a
punctuation mark on both sides, as in "，啊，" or ", like," — "好看啊。" and "smells like
coffee" stay. 那个 as a filler follows the word it hangs on ("我妈那个，老锅"), so it goes when
a comma or a pause comes after it but not a sentence's end — "那个颜色" and "我要那个。" stay.

With the recording's audio at hand the cut edges go into the real pause the word times point
at (a stretch near the floor of the energy, 20 dB under the speech): Whisper's word ends often
run into the pause or stop short of a fading syllable. A cut that finds no such pause (the
words run into each other, or the ASR dropped a word there) is not made.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from clipora_core.api import TimeWindow
from pydantic import BaseModel

from clipora_live_commerce.engine import Line

HOP = 0.01  # seconds per energy frame, as ``pauses.AudioEnvelope.energy_db`` returns them
PAUSE_DEPTH_DB = 20.0  # a cut edge must be this much quieter than the speech around it
FLOOR_DB = 12.0  # ...and within this of the quietest point around it
MIN_QUIET_SECONDS = 0.04  # shorter quiet is a consonant, not a pause
MAX_FILLER_SECONDS = 1.5  # a "filler" longer than this has untrustworthy times: leave it
SENTENCE_END = set(".!?。！？…")
PUNCT = set(",.!?;:…，。！？、；：~～\"'“”‘’()（）[]【】-—")

# (time of the first frame, energy in dB per ``HOP``) over [start, end].
Energy = Callable[[float, float], tuple[float, np.ndarray]]


@dataclass(frozen=True)
class TWord:
    start: float
    end: float
    text: str  # empty for a line without word times: never a filler, never cut inside


@dataclass(frozen=True)
class TightenRules:
    fillers: frozenset[str]
    standalone_fillers: frozenset[str]
    pause_fillers: frozenset[str] = frozenset()
    remove_fillers: bool = True
    shorten_pauses: bool = True
    max_pause: float = 0.6  # pauses longer than this are shortened...
    keep_pause: float = 0.2  # ...to this much silence
    margin: float = 0.05  # never cut closer than this to a kept word
    boundary_gap: float = 0.15  # a gap this long next to a word makes it standalone
    min_window: float = 0.3  # no piece of a window shorter than this
    min_cut: float = 0.15  # a cut that removes less is not worth a join


class Trim(BaseModel):
    """One span cut out of a body window (effective timeline)."""

    start_seconds: float
    end_seconds: float
    kind: Literal["filler", "pause"]
    text: str = ""

    @property
    def duration(self) -> float:
        return self.end_seconds - self.start_seconds


def words_of(lines: Sequence[Line]) -> list[TWord]:
    """The transcript's words in time order; a line without word times is one opaque word."""
    out: list[TWord] = []
    for ln in lines:
        if ln.words:
            out.extend(TWord(w.start_seconds, w.end_seconds, w.text) for w in ln.words)
        else:
            out.append(TWord(ln.start_seconds, ln.end_seconds, ""))
    out.sort(key=lambda w: (w.start, w.end))
    return out


def norm(text: str) -> str:
    return "".join(c for c in text.strip().lower() if c not in PUNCT)


def _ends_clause(text: str) -> bool:
    t = text.strip()
    return bool(t) and t[-1] in PUNCT


def _starts_clause(text: str) -> bool:
    t = text.strip()
    return bool(t) and t[0] in PUNCT


def _joined(tokens: Sequence[TWord]) -> str:
    parts = [norm(t.text) for t in tokens]
    # Latin words are written with spaces between them, CJK characters without.
    if all(p.isascii() for p in parts):
        return " ".join(parts)
    return "".join(parts)


def find_fillers(words: Sequence[TWord], rules: TightenRules) -> list[tuple[int, int]]:
    """Filler runs as (first, last) word indexes, left to right. A filler may span up to three
    ASR words (faster-whisper often writes 那个 as 那 + 个)."""
    out: list[tuple[int, int]] = []
    marked: set[int] = set()
    n = len(words)
    i = 0
    while i < n:
        hit = None
        for size in (3, 2, 1):
            j = i + size - 1
            if j >= n:
                continue
            run = words[i : j + 1]
            # Punctuation inside a run means two clauses, not one word.
            if any(_ends_clause(t.text) for t in run[:-1]) or any(
                _starts_clause(t.text) for t in run[1:]
            ):
                continue
            key = _joined(run)
            if not key:
                continue
            if (
                key in rules.fillers
                or (
                    key in rules.standalone_fillers
                    and _boundary_before(words, i, marked, rules)
                    and _boundary_after(words, j, rules)
                )
                or (key in rules.pause_fillers and _pause_after(words, j, rules))
            ):
                hit = (i, j)
                break
        if hit and words[hit[1]].end - words[hit[0]].start <= MAX_FILLER_SECONDS:
            out.append(hit)
            marked.update(range(hit[0], hit[1] + 1))
            i = hit[1] + 1
        else:
            i += 1
    return out


def _boundary_before(words: Sequence[TWord], i: int, marked: set[int], rules: TightenRules) -> bool:
    if i == 0 or _starts_clause(words[i].text):
        return True
    prev = words[i - 1]
    return (
        i - 1 in marked
        or _ends_clause(prev.text)
        or words[i].start - prev.end >= rules.boundary_gap
    )


def _boundary_after(words: Sequence[TWord], j: int, rules: TightenRules) -> bool:
    if j + 1 >= len(words) or _ends_clause(words[j].text):
        return True
    nxt = words[j + 1]
    return (
        _starts_clause(nxt.text)
        or nxt.start - words[j].end >= rules.boundary_gap
        or norm(nxt.text) in rules.fillers
    )


def _pause_after(words: Sequence[TWord], j: int, rules: TightenRules) -> bool:
    """A comma or a pause follows, not a sentence's end: "我妈那个，老锅" but not "我要那个。"."""
    text = words[j].text.strip()
    if text and text[-1] in SENTENCE_END:
        return False
    if text and text[-1] in PUNCT:
        return True
    return j + 1 < len(words) and words[j + 1].start - words[j].end >= rules.boundary_gap


@dataclass
class _Cut:
    start: float
    end: float
    kind: Literal["filler", "pause"]
    text: str

    def __post_init__(self) -> None:
        # Plans hold milliseconds: round towards the cut so a kept word never loses a sliver.
        self.start = math.ceil(round(self.start * 1000, 6)) / 1000
        self.end = math.floor(round(self.end * 1000, 6)) / 1000

    @property
    def length(self) -> float:
        return self.end - self.start


class _Quiet:
    """Pauses in the audio's energy, to put cut edges in (None throughout without audio)."""

    def __init__(self, energy: Energy | None) -> None:
        self.energy = energy

    def runs(self, lo: float, hi: float) -> list[tuple[float, float]] | None:
        """Stretches of [lo, hi] at least ``MIN_QUIET_SECONDS`` long and ``PAUSE_DEPTH_DB``
        under the loudest speech around; None without audio (the word times are all there is)."""
        if self.energy is None:
            return None
        try:
            t0, db = self.energy(lo - 0.3, hi + 0.3)
        except Exception:  # noqa: BLE001 - unreadable audio: trust the word times
            return None
        if len(db) < 3:
            return None
        # Well under the loudest speech nearby (a long pause is mostly silence, so a
        # percentile of the stretch would be silence too) and near the floor: a word's fading
        # tail is already 20 dB down but still heard.
        quiet = db <= min(float(np.max(db)) - PAUSE_DEPTH_DB, float(np.min(db)) + FLOOR_DB)
        a = max(0, int(np.ceil((lo - t0) / HOP)))
        b = min(len(db), int((hi - t0) / HOP))
        out: list[tuple[float, float]] = []
        k = a
        while k < b:
            if not quiet[k]:
                k += 1
                continue
            j = k
            while j < b and quiet[j]:
                j += 1
            # A run of one or two frames is a stop consonant's closure, not a pause.
            if (j - k) * HOP >= MIN_QUIET_SECONDS:
                out.append((t0 + k * HOP, t0 + j * HOP))
            k = j
        return out


def _window_cuts(
    win: TimeWindow,
    words: Sequence[TWord],
    filler_of: dict[int, int],
    rules: TightenRules,
    quiet: _Quiet,
) -> list[_Cut]:
    """Cuts inside one window, before the minimum-length rule."""
    ws, we = win.start_seconds, win.end_seconds
    inside = [k for k, w in enumerate(words) if ws < (w.start + w.end) / 2 < we]
    if not inside:
        return []
    kept = [k for k in inside if k not in filler_of or not rules.remove_fillers]
    if not kept:
        return []  # a window of nothing but fillers was chosen on purpose: leave it whole
    cuts: list[_Cut] = []
    # Gaps: before the first kept word, between kept words, after the last one.
    edges: list[tuple[float, float, int | None, int | None]] = []
    edges.append((ws, words[kept[0]].start, None, kept[0]))
    reach = words[kept[0]].end
    for p, q in zip(kept, kept[1:], strict=False):
        reach = max(reach, words[p].end)
        edges.append((reach, words[q].start, p, q))
    reach = max(reach, words[kept[-1]].end)
    edges.append((reach, we, kept[-1], None))
    for a, b, before, after in edges:
        gap_fillers = [
            k
            for k in inside
            if k in filler_of and (before is None or k > before) and (after is None or k < after)
        ]
        if gap_fillers and rules.remove_fillers:
            cut = _filler_cut(a, b, before is None, after is None, gap_fillers, words, rules, quiet)
        elif (
            before is not None
            and after is not None
            and rules.shorten_pauses
            and b - a > rules.max_pause
        ):
            cut = _pause_cut(a, b, rules, quiet)
        else:
            cut = None
        if cut is not None and cut.length >= rules.min_cut:
            cuts.append(cut)
    return cuts


def _filler_cut(
    a: float,
    b: float,
    leading: bool,
    trailing: bool,
    fillers: list[int],
    words: Sequence[TWord],
    rules: TightenRules,
    quiet: _Quiet,
) -> _Cut | None:
    f0, f1 = words[fillers[0]].start, max(words[k].end for k in fillers)
    if f0 < a - 1e-6 or f1 > b + 1e-6:
        return None  # the filler overlaps a kept word in the ASR's times: no clean cut
    text = " ".join(words[k].text.strip() for k in fillers)
    silence = max(0.0, (b - a) - (f1 - f0))
    half = max(rules.margin, min(rules.keep_pause, silence) / 2)
    s: float | None = a if leading else min(a + half, f0)
    e: float | None = b if trailing else max(b - half, f1)
    # On the audio: the first pause after the kept word before, the last one before the kept
    # word after; no pause there (the words run into the filler) and the filler stays.
    if not leading and (runs := quiet.runs(a, f0)) is not None:
        s = min(runs[0][0] + half, runs[0][1]) if runs else None
    if not trailing and (runs := quiet.runs(f1, b)) is not None:
        e = max(runs[-1][1] - half, runs[-1][0]) if runs else None
    if s is None or e is None or e <= s:
        return None
    return _Cut(s, e, "filler", text)


def _pause_cut(a: float, b: float, rules: TightenRules, quiet: _Quiet) -> _Cut | None:
    half = rules.keep_pause / 2
    s, e = a + half, b - half
    runs = quiet.runs(a, b)
    if runs is not None:
        # The longest silence of the gap is the pause: the ASR's word ends can run into it, or
        # miss a word inside it.
        if not runs:
            return None
        s, e = max(runs, key=lambda r: r[1] - r[0])
        s, e = s + half, e - half
    if e - s <= 0:
        return None
    return _Cut(s, e, "pause", "")


def _enforce_min_pieces(win: TimeWindow, cuts: list[_Cut], min_window: float) -> list[_Cut]:
    """Drop cuts (the smaller next to a too-short piece first) until every piece of the window
    that plays is at least ``min_window`` long."""
    cuts = sorted(cuts, key=lambda c: c.start)
    while cuts:
        bounds = [win.start_seconds, *[t for c in cuts for t in (c.start, c.end)], win.end_seconds]
        short = None
        for k in range(len(cuts) + 1):
            length = bounds[2 * k + 1] - bounds[2 * k]
            if 1e-6 < length < min_window:
                short = k
                break
        if short is None:
            break
        around = [c for c in (short - 1, short) if 0 <= c < len(cuts)]
        cuts.pop(min(around, key=lambda c: cuts[c].length))
    return cuts


def tighten_windows(
    windows: Sequence[TimeWindow],
    words: Sequence[TWord],
    rules: TightenRules,
    energy: Energy | None = None,
    protected: Sequence[TimeWindow] = (),
) -> tuple[list[TimeWindow], list[Trim]]:
    """``windows`` (in play order) with fillers and long pauses cut out, and what was cut.
    Nothing is cut that touches a ``protected`` span (the hook)."""
    if not (rules.remove_fillers or rules.shorten_pauses) or not windows:
        return list(windows), []
    words = sorted(words, key=lambda w: (w.start, w.end))
    starts = [w.start for w in words]
    quiet = _Quiet(energy)
    out: list[TimeWindow] = []
    trims: list[Trim] = []
    for win in windows:
        # Words near the window only, with one on each side for the standalone test.
        lo = max(0, bisect.bisect_left(starts, win.start_seconds - 5.0) - 1)
        hi = bisect.bisect_right(starts, win.end_seconds + 1.0) + 1
        near = words[lo:hi]
        filler_of = {
            k: n for n, (i, j) in enumerate(find_fillers(near, rules)) for k in range(i, j + 1)
        }
        cuts = _window_cuts(win, near, filler_of, rules, quiet)
        cuts = [
            c
            for c in cuts
            if not any(c.start < p.end_seconds and p.start_seconds < c.end for p in protected)
        ]
        cuts = _enforce_min_pieces(win, cuts, rules.min_window)
        t = win.start_seconds
        for c in cuts:
            if c.start - t > 1e-6:
                out.append(TimeWindow(start_seconds=t, end_seconds=c.start))
            trims.append(Trim(start_seconds=c.start, end_seconds=c.end, kind=c.kind, text=c.text))
            t = c.end
        if win.end_seconds - t > 1e-6:
            out.append(TimeWindow(start_seconds=t, end_seconds=win.end_seconds))
    return out, trims
