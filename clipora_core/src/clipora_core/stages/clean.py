"""clean: run the configured cleaners in order; record what they removed and the time map."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from clipora_core.capabilities import Capability, CleanRequest, Kind
from clipora_core.contracts import CleaningSummary, TimeMapEntry
from clipora_core.errors import ConfigError
from clipora_core.stages.base import StageContext
from clipora_core.timeline import compose_time_maps
from clipora_core.workspace import source_identity

if TYPE_CHECKING:
    from clipora_core.engine import Engine


class CleanStage:
    name = "clean"
    reuses_outputs = False
    outputs: tuple[str, ...] = ("clean",)
    config: tuple[str, ...] = ("cleaning",)

    def capabilities(self, engine: Engine) -> list[Capability]:
        s = engine.settings
        caps = []
        if s.cleaning.enabled:
            if not s.cleaning.cleaners:
                raise ConfigError(
                    "cleaning.enabled is true but no cleaner is chosen",
                    hint="set cleaning.cleaners, or install a cleaner plugin",
                )
            caps += [
                engine.capability(Kind.CLEANER, c, "cleaning.cleaners") for c in s.cleaning.cleaners
            ]
        caps.append(engine.capability(Kind.PROBER, s.inspect.prober, "inspect.prober"))
        return caps

    def run(self, ctx: StageContext) -> str:
        job, s = ctx.job, ctx.settings
        src = ctx.engine.source_or_fail()
        job.update(source=source_identity(src))
        if not s.cleaning.enabled:
            job.update(effective_source_path=str(src), cleaning=CleaningSummary(enabled=False))
            return "disabled"
        prober = ctx.instance(Kind.PROBER, s.inspect.prober, "inspect.prober")
        current = src
        probe = prober.probe(current)
        original_duration = probe.duration_seconds
        time_map: list[TimeMapEntry] = []
        removed_all = []
        keep = []
        out_dir = job.path("clean")
        for i, name in enumerate(s.cleaning.cleaners):
            cleaner = ctx.instance(Kind.CLEANER, name, "cleaning.cleaners")
            step_dir = out_dir if len(s.cleaning.cleaners) == 1 else out_dir / f"{i + 1:02d}-{name}"
            step_dir.mkdir(parents=True, exist_ok=True)
            result = cleaner.clean(
                CleanRequest(
                    source_path=current,
                    probe=probe,
                    out_dir=step_dir,
                    progress=ctx.progress,
                )
            )
            removed_all += result.removed_intervals
            keep = result.keep_intervals
            time_map = compose_time_maps(time_map, result.time_map)
            if Path(result.effective_source_path) != current:
                current = Path(result.effective_source_path)
                probe = prober.probe(current)
        removed = bool(removed_all)
        summary = CleaningSummary(
            enabled=True,
            removed=removed,
            removed_interval_count=len(removed_all),
            removed_duration_seconds=round(
                sum(r.end_seconds - r.start_seconds for r in removed_all), 6
            ),
            original_duration_seconds=original_duration,
            cleaned_duration_seconds=probe.duration_seconds if removed else original_duration,
            cleaners=list(s.cleaning.cleaners),
        )
        job.write_json("clean/removed_intervals.json", removed_all)
        job.write_json("clean/keep_intervals.json", keep)
        job.write_json("clean/time_map.json", time_map)
        job.write_json("clean/summary.json", summary)
        job.update(effective_source_path=str(current), cleaning=summary)
        return f"removed_intervals={len(removed_all)} removed_seconds={summary.removed_duration_seconds:.1f}"
