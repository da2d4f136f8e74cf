"""inspect: probe the effective source (remuxing awkward containers once) into the job."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from clipora_core.capabilities import Capability, Kind
from clipora_core.errors import InputError
from clipora_core.stages.base import StageContext

if TYPE_CHECKING:
    from clipora_core.engine import Engine


class InspectStage:
    name = "inspect"
    reuses_outputs = False
    outputs: tuple[str, ...] = ("inspect",)
    config: tuple[str, ...] = ("inspect",)

    def capabilities(self, engine: Engine) -> list[Capability]:
        s = engine.settings
        return [engine.capability(Kind.PROBER, s.inspect.prober, "inspect.prober")]

    def run(self, ctx: StageContext) -> str:
        job, s, progress = ctx.job, ctx.settings, ctx.progress
        src = ctx.engine.source_or_fail()
        effective = job.effective_source if job.effective_source.exists() else src
        if effective != src and not s.cleaning.enabled:
            effective = src
        prober = ctx.instance(Kind.PROBER, s.inspect.prober, "inspect.prober")
        probe = prober.probe(effective)
        if probe.container and probe.container.split(",")[0] in s.inspect.remux_containers:
            out_dir = job.path("inspect")
            out_dir.mkdir(parents=True, exist_ok=True)
            progress.info("remuxing to a seekable mp4 (stream copy)", container=probe.container)
            prepared = prober.prepare(effective, probe, out_dir)
            if prepared is not None:
                effective = Path(prepared)
                probe = prober.probe(effective)
        if not probe.has_video:
            raise InputError(f"{effective.name} has no video stream", hint="pass a video file")
        if probe.duration_seconds <= 0:
            raise InputError(
                f"{effective.name} has no playable duration", hint="check the file plays"
            )
        job.write_json("inspect/probe.json", probe)
        job.update(probe=probe, effective_source_path=str(effective))
        if not probe.has_audio:
            progress.warning("the video has no audio track: speech-based stages will stop")
        return (
            f"duration={probe.duration_seconds:.1f}s {probe.video_width}x{probe.video_height} "
            f"audio={'yes' if probe.has_audio else 'no'}"
        )
