"""The ``even_chunks`` analyzer: chunks of speech -> items -> one clip per item.

Times are on the job's effective timeline, as the core expects; the core maps them back to the
original recording and drops items shorter than ``analysis.semantic_min_duration_seconds``.
"""

from __future__ import annotations

from clipora_core.api import (
    AnalyzerContext,
    ClusterResult,
    DiscoveredInterval,
    DiscoveryResult,
    EditPlanSegment,
    PluginRuntime,
    SemanticItemInterval,
    TimeWindow,
    TranscriptSegment,
    VideoTypeAnalyzer,
)

from clipora_example_videotype.settings import EvenChunksSettings

TITLE_CHARS = 40


def _title(segments: list[TranscriptSegment]) -> str:
    text = " ".join(s.text.strip() for s in segments).strip()
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


class EvenChunksAnalyzer(VideoTypeAnalyzer):
    def __init__(
        self, options: EvenChunksSettings | None = None, runtime: PluginRuntime | None = None
    ) -> None:
        self.options = options or EvenChunksSettings()

    def discover(self, ctx: AnalyzerContext) -> DiscoveryResult:
        chunks: dict[int, list[int]] = {}
        for number, seg in enumerate(ctx.transcript.segments, 1):
            if seg.text.strip():
                chunks.setdefault(int(seg.start_seconds // self.options.chunk_seconds), []).append(
                    number
                )
        intervals = []
        segs = ctx.transcript.segments
        for k, numbers in enumerate(chunks.values(), 1):
            first, last = numbers[0], numbers[-1]
            intervals.append(
                DiscoveredInterval(
                    id=f"chunk-{k:03d}",
                    start_segment_number=first,
                    end_segment_number=last,
                    title=_title(segs[first - 1 : last]),
                    start_seconds=segs[first - 1].start_seconds,
                    end_seconds=segs[last - 1].end_seconds,
                )
            )
        ctx.progress.info("chunked the transcript", chunks=len(intervals))
        return DiscoveryResult(
            intervals=intervals, debug={"chunk_seconds": self.options.chunk_seconds}
        )

    def cluster(self, ctx: AnalyzerContext, intervals: list[DiscoveredInterval]) -> ClusterResult:
        items = []
        for k, interval in enumerate(intervals, 1):
            segs = ctx.transcript.segments[
                interval.start_segment_number - 1 : interval.end_segment_number
            ]
            items.append(
                SemanticItemInterval(
                    id=f"semantic-item-{k:03d}",
                    windows=[
                        TimeWindow(
                            start_seconds=segs[0].start_seconds, end_seconds=segs[-1].end_seconds
                        )
                    ],
                    title=interval.title,
                    transcript_text=" ".join(s.text.strip() for s in segs),
                    metadata={"chunk_id": interval.id},
                )
            )
        return ClusterResult(items=items)

    def analyze_item(
        self, ctx: AnalyzerContext, item: SemanticItemInterval
    ) -> list[EditPlanSegment]:
        window = item.windows[0]
        inside = [
            s
            for s in ctx.transcript.segments
            if s.start_seconds >= window.start_seconds - 1e-6
            and s.end_seconds <= window.end_seconds + 1e-6
            and s.text.strip()
        ]
        if not inside:
            return []
        kept = inside[:1]
        for seg in inside[1:]:
            if seg.end_seconds - kept[0].start_seconds > self.options.max_clip_seconds:
                break
            kept.append(seg)
        clip = TimeWindow(start_seconds=kept[0].start_seconds, end_seconds=kept[-1].end_seconds)
        return [
            EditPlanSegment(
                id=f"{item.id}-clip",
                windows=[clip],
                title=item.title,
                summary=" ".join(s.text.strip() for s in kept),
                metadata={"chunk_id": item.metadata.get("chunk_id", "")},
            )
        ]
