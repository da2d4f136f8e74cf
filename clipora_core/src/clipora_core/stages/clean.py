"""clean: run the configured cleaners; record what they removed and the time map.

Nothing is re-encoded: the cleaned timeline is the recording read through the time map (later
stages map their times through it and cut from the recording itself)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from clipora_core.capabilities import Capability, CleanRequest, Kind
from clipora_core.contracts import CleaningSummary, RemovalInterval, TimeWindow
from clipora_core.errors import ConfigError, StageError
from clipora_core.stages.base import StageContext
from clipora_core.timeline import intersect_keeps, time_map_from_keeps
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
        probe = prober.probe(src)
        duration = probe.duration_seconds
        keep = [TimeWindow(start_seconds=0.0, end_seconds=duration)] if duration > 0 else []
        removed_all: list[RemovalInterval] = []
        out_dir = job.path("clean")
        for i, name in enumerate(s.cleaning.cleaners):
            cleaner = ctx.instance(Kind.CLEANER, name, "cleaning.cleaners")
            step_dir = out_dir if len(s.cleaning.cleaners) == 1 else out_dir / f"{i + 1:02d}-{name}"
            step_dir.mkdir(parents=True, exist_ok=True)
            # Every cleaner looks at the recording itself; what they drop adds up.
            result = cleaner.clean(
                CleanRequest(source_path=src, probe=probe, out_dir=step_dir, progress=ctx.progress)
            )
            removed_all += result.removed_intervals
            keep = intersect_keeps(keep, result.keep_intervals)
        removed_all.sort(key=lambda r: r.start_seconds)
        if removed_all and not keep:
            raise StageError(
                f"cleaning would remove the whole of {src.name}",
                hint="disable cleaning (cleaning.enabled: false) or make the cleaners less eager",
            )
        cleaned = sum(k.end_seconds - k.start_seconds for k in keep)
        summary = CleaningSummary(
            enabled=True,
            removed=bool(removed_all),
            removed_interval_count=len(removed_all),
            removed_duration_seconds=round(duration - cleaned, 6) if removed_all else 0.0,
            original_duration_seconds=duration,
            cleaned_duration_seconds=round(cleaned, 6) if removed_all else duration,
            cleaners=list(s.cleaning.cleaners),
            virtual=True,
        )
        job.write_json("clean/removed_intervals.json", removed_all)
        job.write_json("clean/keep_intervals.json", keep)
        job.write_json("clean/time_map.json", time_map_from_keeps(keep))
        job.write_json("clean/summary.json", summary)
        job.update(effective_source_path=str(src), cleaning=summary)
        return f"removed_intervals={len(removed_all)} removed_seconds={summary.removed_duration_seconds:.1f}"
