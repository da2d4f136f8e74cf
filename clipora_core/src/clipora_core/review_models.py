"""The seller's review edits as they are stored (``analysis/review/edits.json``), and the pure
rules they follow: how a window edge snaps to a pause, how a transcript fix carries into titles.

Edits refuse unknown fields and oversized values: they arrive from a browser as well as from
files, and each one is small by nature (a line of text, a name, a few windows).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from clipora_core.contracts import Document, TimeWindow, Transcript, utc_now

MAX_TEXT = 500  # characters in one fixed transcript line
MAX_TITLE = 120  # characters in a product name
MAX_WINDOWS = 20  # windows in one clip
MAX_VERSIONS = 1000  # edits kept in one job's review
MIN_WINDOW_SECONDS = 0.3
# How far a window edge may move to reach a pause, and how much of the pause it keeps.
SNAP_SECONDS = 1.5
PAUSE_PAD_SECONDS = 0.1

_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


class _Edit(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _clean_text(v: str, what: str) -> str:
    v = " ".join(v.split())
    if not v:
        raise ValueError(f"{what} is empty")
    return v


class TranscriptFix(_Edit):
    """One transcript line's corrected text (the raw transcript stays as it was heard)."""

    kind: Literal["transcript"] = "transcript"
    segment_id: str = Field(pattern=_ID)
    text: str = Field(max_length=MAX_TEXT)

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return _clean_text(v, "text")


class RenameItem(_Edit):
    kind: Literal["rename"] = "rename"
    item_id: str = Field(pattern=_ID)
    title: str = Field(max_length=MAX_TITLE)

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        return _clean_text(v, "title")


class SetWindows(_Edit):
    """A clip's windows, trimmed or extended (in play order; edges snap to pauses).

    ``clock``: ``cleaned`` (the plan's timeline) or ``recording`` (the video the review plays,
    ``job.effective_source``: differs when cleaning cut spans out of the recording without
    copying it). The review stores every edit on the cleaned clock.
    """

    kind: Literal["windows"] = "windows"
    clip_id: str = Field(pattern=_ID)
    windows: list[TimeWindow] = Field(min_length=1, max_length=MAX_WINDOWS)
    snap: bool = True
    clock: Literal["cleaned", "recording"] = "cleaned"


class KeepClip(_Edit):
    kind: Literal["keep"] = "keep"
    clip_id: str = Field(pattern=_ID)
    keep: bool


class MergeItems(_Edit):
    """Item ``item_id``'s clips become ``into_id``'s (one product found as two)."""

    kind: Literal["merge"] = "merge"
    item_id: str = Field(pattern=_ID)
    into_id: str = Field(pattern=_ID)


ReviewEdit = Annotated[
    TranscriptFix | RenameItem | SetWindows | KeepClip | MergeItems, Field(discriminator="kind")
]


class ReviewVersion(BaseModel):
    version: int = Field(ge=1)
    created_at: str = Field(default_factory=utc_now)
    edit: ReviewEdit


class ReviewLog(Document):
    """Every edit in order; version N is the job as the first N edits leave it."""

    # The analyzer's plan the edits apply to, and the plan they last produced: a plan that is
    # neither was made again since (a re-analysis), and the old edits no longer apply.
    original_fingerprint: str = ""
    applied_fingerprint: str = ""
    versions: list[ReviewVersion] = Field(default_factory=list, max_length=MAX_VERSIONS)

    @property
    def version(self) -> int:
        return len(self.versions)


# --- pauses ---------------------------------------------------------------------------------


def speech_spans(transcript: Transcript | None) -> list[tuple[float, float]]:
    """Where someone speaks: each word, or each line without word times, in time order."""
    if transcript is None:
        return []
    spans: list[tuple[float, float]] = []
    for seg in transcript.segments:
        if seg.words:
            spans += [(w.start_seconds, w.end_seconds) for w in seg.words]
        elif seg.end_seconds > seg.start_seconds:
            spans.append((seg.start_seconds, seg.end_seconds))
    return sorted(spans)


def snap_edge(t: float, spans: list[tuple[float, float]], edge: Literal["start", "end"]) -> float:
    """``t`` moved into the nearest pause when it falls inside speech (a clip never starts or
    ends mid-word); a time already in a pause, or with no pause near, stays."""
    if not any(a < t < b for a, b in spans):
        return t
    candidates: list[float] = []
    for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False):
        if b_start < a_end:
            continue  # overlapping words: no pause between them
        if edge == "start":
            candidates.append(max(a_end, b_start - PAUSE_PAD_SECONDS))
        else:
            candidates.append(min(b_start, a_end + PAUSE_PAD_SECONDS))
    if spans:
        first, last = spans[0][0], spans[-1][1]
        candidates += [max(0.0, first - PAUSE_PAD_SECONDS), last + PAUSE_PAD_SECONDS]
    near = [c for c in candidates if abs(c - t) <= SNAP_SECONDS]
    return min(near, key=lambda c: abs(c - t)) if near else t


def snap_windows(
    windows: list[TimeWindow], spans: list[tuple[float, float]], duration: float
) -> list[TimeWindow]:
    out = []
    for w in windows:
        start = max(0.0, snap_edge(w.start_seconds, spans, "start"))
        end = snap_edge(w.end_seconds, spans, "end")
        if duration:
            end = min(end, duration)
        if end - start < MIN_WINDOW_SECONDS:
            start, end = w.start_seconds, w.end_seconds  # snapping must not erase a window
        out.append(TimeWindow(start_seconds=round(start, 3), end_seconds=round(end, 3)))
    return out


# --- text -----------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|\s+|.", re.UNICODE)
_CJK_RUNS = re.compile(r"[\u3400-\u9fff]|[^\u3400-\u9fff]+")


def _tokens(text: str) -> list[str]:
    # Latin words whole, CJK characters one by one (the regex's \w run would swallow a line).
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        if any("\u3400" <= ch <= "\u9fff" for ch in tok):
            out += _CJK_RUNS.findall(tok)
        else:
            out.append(tok)
    return out


def replacements(old: str, new: str) -> list[tuple[str, str]]:
    """The phrases a fix replaced (``维C`` -> ``VC``, ``water bottle`` -> ``steel flask``), so
    the same mishearing can be corrected where the line's words were copied (titles)."""
    a, b = _tokens(old), _tokens(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "replace":
            before, after = "".join(a[i1:i2]).strip(), "".join(b[j1:j2]).strip()
            if before and after:
                out.append((before, after))
    return out


def apply_replacements(title: str, pairs: list[tuple[str, str]]) -> str:
    for before, after in pairs:
        # A function, not a template: the new text is taken as it is (no backslash escapes).
        title = re.compile(re.escape(before), re.IGNORECASE).sub(_literal(after), title)
    return title


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _m: text
