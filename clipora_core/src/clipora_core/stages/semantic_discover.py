"""semantic_discover: transcribe, then let the video-type analyzer find the intervals worth
clipping (and, optionally, correct the transcript: the ASR's own words are kept beside it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from clipora_core.capabilities import Capability, Kind
from clipora_core.stages.base import StageContext
from clipora_core.stages.transcribe import transcribe
from clipora_core.stages.video_type import analyzer, analyzer_context

if TYPE_CHECKING:
    from clipora_core.engine import Engine


class SemanticDiscoverStage:
    name = "semantic_discover"
    # semantic/transcript.json is not cleared: it is replaced whole when the stage finishes.
    reuses_outputs = False
    outputs: tuple[str, ...] = (
        "semantic/discovered_intervals.json",
        "semantic/window_plans.json",
        "semantic/transcript.raw.json",
    )
    # The ASR backend's own keys come from its capability's config_keys (only those that change
    # the transcript: a poll interval must not force a new paid transcription).
    config: tuple[str, ...] = (
        "asr.mode",
        "asr.language",
        "asr.hotwords",
        "analysis.video_type",
        "analysis.semantic_*",
    )

    def capabilities(self, engine: Engine) -> list[Capability]:
        s = engine.settings
        return [
            engine.capability(Kind.ASR, s.asr.mode, "asr.mode"),
            engine.capability(Kind.VIDEO_TYPE, engine.video_type, "analysis.video_type"),
        ]

    def run(self, ctx: StageContext) -> str:
        job, progress = ctx.job, ctx.progress
        job.update(analysis_video_type=ctx.engine.video_type)
        transcript = transcribe(ctx)
        job.write_json("semantic/transcript.json", transcript)
        ctx.engine.cache.transcript = transcript
        progress.info(
            "transcript ready",
            segments=len(transcript.segments),
            language=transcript.language or "",
        )
        actx = analyzer_context(ctx, transcript=transcript)
        result = analyzer(ctx).discover(actx)
        if result.transcript is not None:
            # Later stages and the subtitles use the analyzer's corrections; the ASR's own words
            # stay available next to them.
            job.write_json("semantic/transcript.raw.json", transcript)
            job.write_json("semantic/transcript.json", result.transcript)
            ctx.engine.cache.transcript = result.transcript
        job.write_json("semantic/discovered_intervals.json", result.intervals)
        job.write_json("semantic/window_plans.json", result.debug)
        job.record_dropped(actx.dropped, "semantic_discover")
        return f"segments={len(transcript.segments)} intervals={len(result.intervals)}"
