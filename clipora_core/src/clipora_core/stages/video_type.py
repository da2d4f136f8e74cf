"""The video-type analyzer the semantic stages and analyze share, and what it is handed."""

from __future__ import annotations

from typing import Any

from clipora_core.capabilities import AnalyzerContext, Kind
from clipora_core.contracts import Transcript
from clipora_core.progress import StageProgress
from clipora_core.stages.base import StageContext, products_on_effective_timeline


def analyzer(ctx: StageContext) -> Any:
    return ctx.instance(Kind.VIDEO_TYPE, ctx.engine.video_type, "analysis.video_type")


def analyzer_context(
    ctx: StageContext, progress: StageProgress | None = None, transcript: Transcript | None = None
) -> AnalyzerContext:
    return AnalyzerContext(
        job=ctx.job,
        analysis=ctx.settings.analysis,
        progress=progress or ctx.progress,
        transcript=transcript if transcript is not None else ctx.transcript(),
        probe=ctx.probe(),
        plugins=ctx.engine.host,
        products=products_on_effective_timeline(ctx.job.products(), ctx.time_map()),
        media_path=ctx.job.effective_source,
        media_time_map=ctx.media_time_map(),
    )
