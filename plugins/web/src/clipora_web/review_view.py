"""What the review page is sent: the products, their transcript lines and clips, each time on
two clocks.

``start_seconds``/``end_seconds`` are on the plan's (cleaned) timeline, as the kernel keeps
them; ``recording_*`` are the same moments in the video the page plays (``job.effective_source``).
They differ only when cleaning cut frozen spans out of the recording without copying it: the
page then seeks, shows and edits in recording time (``"clock": "recording"`` in a windows edit)
and skips the ``removed`` spans while it plays a clip.
"""

from __future__ import annotations

from clipora_core.api import (
    EditPlanSegment,
    JobWorkspace,
    Review,
    ReviewState,
    TimeMapEntry,
    TimeWindow,
    awaiting_review,
    to_original_time,
    to_original_windows,
)
from pydantic import BaseModel, Field


class Span(BaseModel):
    start_seconds: float
    end_seconds: float


class WindowView(BaseModel):
    start_seconds: float
    end_seconds: float
    recording_start_seconds: float
    recording_end_seconds: float


class LineView(BaseModel):
    id: str
    start_seconds: float
    end_seconds: float
    recording_start_seconds: float
    recording_end_seconds: float
    text: str
    raw_text: str
    fixed: bool


class ClipView(BaseModel):
    id: str
    item_id: str
    variant: str
    title: str
    windows: list[WindowView]
    recording_pieces: list[Span] = Field(
        description="what plays, in recording time: the windows less any removed span"
    )
    kept: bool
    duration_seconds: float
    score: float | None = None


class ItemView(BaseModel):
    id: str
    title: str
    clips: list[ClipView]
    lines: list[LineView]


class ReviewView(BaseModel):
    job_id: str
    version: int = Field(description="edits so far; undo goes back one")
    awaiting_review: bool
    duration_seconds: float = Field(description="the plan's (cleaned) timeline")
    recording_duration_seconds: float = Field(description="the video at video_url")
    cleaned: bool = Field(description="recording times differ from the plan's")
    removed: list[Span] = Field(description="spans of the recording that cleaning cut out")
    video_url: str
    items: list[ItemView]


class Clock:
    """Plan (cleaned) time -> recording time for one job."""

    def __init__(self, time_map: list[TimeMapEntry]) -> None:
        self.time_map = time_map

    def pieces(self, a: float, b: float) -> list[Span]:
        window = TimeWindow(start_seconds=a, end_seconds=max(b, a + 1e-3))
        return [
            Span(start_seconds=w.start_seconds, end_seconds=w.end_seconds)
            for w in to_original_windows([window], self.time_map)
        ]

    def span(self, a: float, b: float) -> tuple[float, float]:
        """A cleaned span's ends in recording time (its start where the recording resumes when
        it begins at a cut, which ``to_original_time`` alone would place before the cut)."""
        pieces = self.pieces(a, b)
        if not pieces:
            return to_original_time(a, self.time_map), to_original_time(b, self.time_map)
        return round(pieces[0].start_seconds, 3), round(pieces[-1].end_seconds, 3)

    def removed(self, duration: float) -> list[Span]:
        out: list[Span] = []
        edge = 0.0
        for entry in self.time_map:
            if entry.source_start_seconds - edge > 1e-3:
                out.append(Span(start_seconds=edge, end_seconds=entry.source_start_seconds))
            edge = entry.source_end_seconds
        if self.time_map and duration - edge > 0.05:
            out.append(Span(start_seconds=edge, end_seconds=duration))
        return out


def view(job: JobWorkspace, review: Review, state: ReviewState) -> ReviewView:
    clock = Clock(review.media_time_map)
    items: dict[str, ItemView] = {
        i: ItemView(id=i, title=t, clips=[], lines=[]) for i, t in state.items.items()
    }
    spans: dict[str, list[tuple[float, float]]] = {i: [] for i in items}
    for seg in state.plan.segments:
        item = str(seg.metadata.get("semantic_item_id") or seg.id)
        if item not in items:
            continue
        items[item].clips.append(_clip(seg, item, clock, kept=seg.id not in state.dropped))
        spans[item].append((seg.start_seconds, seg.end_seconds))
    for orig in review.original.segments:
        item = str(orig.metadata.get("semantic_item_id") or orig.id)
        if item in spans:
            spans[item].append((orig.start_seconds, orig.end_seconds))
    _add_lines(review, state, items, spans, clock)
    return ReviewView(
        job_id=job.job_id,
        version=review.log.version,
        awaiting_review=awaiting_review(job),
        duration_seconds=review.duration,
        recording_duration_seconds=review.media_duration,
        cleaned=bool(clock.time_map),
        removed=clock.removed(review.media_duration),
        video_url=f"/api/jobs/{job.job_id}/review/video",
        items=list(items.values()),
    )


def _clip(seg: EditPlanSegment, item: str, clock: Clock, kept: bool) -> ClipView:
    windows = []
    pieces: list[Span] = []
    for w in seg.windows:
        rec = clock.span(w.start_seconds, w.end_seconds)
        windows.append(
            WindowView(
                start_seconds=w.start_seconds,
                end_seconds=w.end_seconds,
                recording_start_seconds=rec[0],
                recording_end_seconds=rec[1],
            )
        )
        pieces += clock.pieces(w.start_seconds, w.end_seconds)
    return ClipView(
        id=seg.id,
        item_id=item,
        variant=seg.variant,
        title=seg.title,
        windows=windows,
        recording_pieces=pieces,
        kept=kept,
        duration_seconds=round(seg.duration, 3),
        score=seg.score.total if seg.score else None,
    )


def _add_lines(
    review: Review,
    state: ReviewState,
    items: dict[str, ItemView],
    spans: dict[str, list[tuple[float, float]]],
    clock: Clock,
) -> None:
    """Each transcript line under every product whose clips (now or as first planned) it
    overlaps."""
    if state.transcript is None:
        return
    raw = {s.id: s.text for s in review.raw_transcript.segments} if review.raw_transcript else {}
    for line in state.transcript.segments:
        for item, covered in spans.items():
            if not any(line.start_seconds < b and line.end_seconds > a for a, b in covered):
                continue
            rec = clock.span(line.start_seconds, line.end_seconds)
            items[item].lines.append(
                LineView(
                    id=line.id,
                    start_seconds=line.start_seconds,
                    end_seconds=line.end_seconds,
                    recording_start_seconds=rec[0],
                    recording_end_seconds=rec[1],
                    text=line.text,
                    raw_text=raw.get(line.id, line.text),
                    fixed=line.id in state.fixed,
                )
            )
