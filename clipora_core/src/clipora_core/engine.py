"""The stage engine: runs stages in order, reusing those whose fingerprint still matches.

Each stage records a fingerprint of its inputs (the upstream stage's fingerprint, the source
file) and of the config that affects it. A completed stage whose fingerprint still matches is
reused; otherwise it reruns, and every later stage is invalidated. ``--force`` reruns a stage
regardless. The engine also re-plans one item and replays a plan: the two things the CLI does
besides running stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clipora_core.capabilities import Capability, Kind
from clipora_core.config import LoadedConfig
from clipora_core.contracts import (
    EditPlan,
    ExecutionResult,
    ItemEditPlan,
    MediaProbe,
    TimeMapEntry,
    Transcript,
)
from clipora_core.errors import InputError, StageError, UsageError
from clipora_core.fileio import read_json
from clipora_core.fingerprints import fingerprintable, flat, matches
from clipora_core.plugins import PluginHost
from clipora_core.progress import StageProgress
from clipora_core.runtime import PluginRuntime
from clipora_core.stages import Stage, StageContext, default_stages
from clipora_core.stages.base import JobCache, require_probe
from clipora_core.workspace import STAGES, JobWorkspace, fingerprint, stage_failed

# Config keys that never change a stage's output even when under a stage's prefixes. The
# product list counts through the job's stored copy (its digest), not through the config
# naming it.
NEVER_FINGERPRINT = {
    "asr.cache",
    # How a transcription is spread over machines, not what it hears.
    "asr.span_seconds",
    "concurrency.analyze",
    "analysis.products",
    "analysis.products_file",
}
# Config a stage reads after its units' work: a change runs the stage again, but its units
# (each clip, whose record holds the stage's config fingerprint) are reused; a cover setting
# makes the covers again, never the clips.
STAGE_ONLY = {"render": ("render.cover",)}


@dataclass
class Engine:
    job: JobWorkspace | None
    config: LoadedConfig
    host: PluginHost
    stages: list[Stage] = field(default_factory=default_stages)
    force: set[str] = field(default_factory=set)
    ran: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    stream_render: bool = False
    cache: JobCache = field(default_factory=JobCache)
    # Where clip renders go besides this process's threads (an Executor whose units may run
    # on other machines); None: rendered here.
    executor: Any = None
    # The --set values units sent through ``executor`` load on top of the job's remembered ones
    # (secrets included, which a job folder never keeps).
    unit_sets: list[str] = field(default_factory=list)
    runtime: PluginRuntime = field(init=False)

    def __post_init__(self) -> None:
        self.runtime = PluginRuntime.from_settings(self.config.settings)
        names = [s.name for s in self.stages]
        if tuple(names) != STAGES:
            raise ValueError(f"stages {names} do not match the job's stage order {STAGES}")
        self._by_name = {s.name: s for s in self.stages}

    @property
    def settings(self) -> Any:
        return self.config.settings

    @property
    def workspace(self) -> JobWorkspace:
        if self.job is None:
            raise StageError("no job is open", hint="run the command on a video or a job folder")
        return self.job

    def stage(self, name: str) -> Stage:
        return self._by_name[name]

    # --- plugins --------------------------------------------------------------------------------

    def capability(self, kind: Kind, name: str, config_key: str) -> Capability:
        return self.host.get(kind, name, config_key)

    def instance(self, kind: Kind, name: str, config_key: str) -> Any:
        return self.host.create(kind, name, self.settings, self.runtime, config_key)

    @property
    def video_type(self) -> str:
        from_job = self.job.manifest.analysis_video_type if self.job is not None else ""
        return from_job or self.settings.analysis.video_type

    def instance_executor(self, name: str) -> Any:
        return self.instance(Kind.EXECUTOR, name, "batch.executor")

    # --- what stages read from the job -----------------------------------------------------------

    def source_or_fail(self) -> Path:
        src = self.workspace.source_path
        if not src.exists():
            raise InputError(
                f"source video not found: {src}", hint="restore the file or start a new job"
            )
        return src

    def probe(self) -> MediaProbe:
        """The probe of the timeline stages work on: the recording's, with the cleaned
        duration when cleaning cut spans out of it."""
        probe = require_probe(self.workspace)
        cleaning = self.workspace.manifest.cleaning
        if cleaning.virtual and cleaning.removed:
            return probe.model_copy(update={"duration_seconds": cleaning.cleaned_duration_seconds})
        return probe

    def media_probe(self) -> MediaProbe:
        """The probe of the file itself (``job.effective_source``), for whoever decodes it."""
        return require_probe(self.workspace)

    def media_time_map(self) -> list[TimeMapEntry]:
        """Cleaned timeline -> times in ``job.effective_source``: the time map when cleaning
        left the recording as it is; nothing for a job cleaned into a copy by an earlier
        version, whose copy already is the cleaned timeline."""
        cleaning = self.workspace.manifest.cleaning
        return self.time_map() if cleaning.virtual and cleaning.removed else []

    def time_map(self) -> list[TimeMapEntry]:
        if self.cache.time_map is None:
            path = self.workspace.path("clean/time_map.json")
            entries = read_json(path) if path.is_file() else []
            self.cache.time_map = [TimeMapEntry.model_validate(e) for e in entries]
        return self.cache.time_map

    def transcript(self) -> Transcript:
        if self.cache.transcript is None:
            data = self.workspace.read_json("semantic/transcript.json")
            self.cache.transcript = Transcript.model_validate(data)
        return self.cache.transcript

    def context(self, name: str, progress: StageProgress | None = None) -> StageContext:
        return StageContext(
            engine=self,
            job=self.workspace,
            progress=progress or StageProgress(self.workspace, name),
        )

    # --- fingerprints ---------------------------------------------------------------------------

    def config_fingerprint(self, name: str) -> str:
        """Fingerprint of the config and capabilities that affect stage ``name`` (no inputs)."""
        caps = self.stage(name).capabilities(self)
        patterns = list(self.stage(name).config)
        for cap in caps:
            # "stage:key" limits a key to one stage; a plain key counts wherever the
            # capability is used.
            for key in cap.config_keys:
                stage, sep, rest = key.rpartition(":")
                if not sep or stage == name:
                    patterns.append(rest)
        dumped = flat(fingerprintable(self.settings))
        stage_only = STAGE_ONLY.get(name, ())
        config = {
            k: v
            for k, v in sorted(dumped.items())
            if matches(k, patterns) and k not in NEVER_FINGERPRINT and not matches(k, stage_only)
        }
        return fingerprint(
            {
                "config": config,
                "capabilities": sorted(f"{c.kind.value}:{c.name}@{c.version}" for c in caps),
            }
        )

    def fingerprint_for(self, name: str) -> str:
        job = self.workspace
        idx = STAGES.index(name)
        upstream = job.stage(STAGES[idx - 1]).fingerprint if idx else None
        payload: dict[str, Any] = {
            "stage": name,
            "upstream": upstream,
            "config": self.config_fingerprint(name),
        }
        if name in STAGE_ONLY:
            dumped = flat(fingerprintable(self.settings))
            payload["stage_config"] = {
                k: v for k, v in sorted(dumped.items()) if matches(k, STAGE_ONLY[name])
            }
        products = job.products() if name == "semantic_discover" else None
        if products is not None:
            # Only with a list, so jobs without one keep the fingerprints they had.
            payload["products"] = {
                "digest": products.digest(),
                "asr_hotwords": bool(self.settings.asr.product_hotwords),
            }
        if name == "clean":
            # The file as it is now: a recording replaced in place makes every stage stale.
            src = job.manifest.source
            try:
                st = Path(src.path).stat()
                payload["source"] = [src.path, st.st_size, st.st_mtime_ns]
            except OSError:
                payload["source"] = [src.path, None, None]
        return fingerprint(payload)

    def is_fresh(self, name: str) -> bool:
        state = self.workspace.stage(name)
        return state.status == "completed" and state.fingerprint == self.fingerprint_for(name)

    # --- running --------------------------------------------------------------------------------

    def preflight(self, last: str) -> None:
        """Fail before any work when config names a capability that is not installed."""
        for name in STAGES[: STAGES.index(last) + 1]:
            self.stage(name).capabilities(self)

    def run_through(self, last: str, force: set[str] | None = None) -> None:
        """Run every stage up to ``last``, reusing fresh ones."""
        force = set(force or ())
        # Items go to render as soon as they are analyzed when the run includes render.
        self.stream_render = last == "render"
        self.preflight(last)
        for name in STAGES[: STAGES.index(last) + 1]:
            self.run_stage(name, force=name in force)

    def run_stage(self, name: str, force: bool = False) -> bool:
        """Run one stage (prerequisites must be fresh). Returns True when it actually ran."""
        job = self.workspace
        if not force and self.is_fresh(name):
            self.reused.append(name)
            StageProgress(job, name).event(
                "reused", "finished earlier with the same inputs and config"
            )
            return False
        stage = self.stage(name)
        fp = self.fingerprint_for(name)
        if force:
            self.force.add(name)
        job.set_stage(name, "running")
        progress = StageProgress(job, name)
        progress.event("started")
        self.cache = JobCache()
        try:
            if force or not stage.reuses_outputs:
                job.clear_dirs(*stage.outputs)
            detail = stage.run(self.context(name, progress))
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                # Stopped by the user: plugins' worker threads see it and stop early.
                self.runtime.cancel.set()
            stage_failed(job, name, exc)
            progress.event("failed", job.stage(name).detail, level=40)
            raise
        finally:
            self.cache = JobCache()
        job.set_stage(name, "completed", detail or "", fingerprint=fp)
        self._update_summary()
        progress.finish()
        progress.event("completed", detail or "")
        invalidated = job.invalidate_after(name)
        if invalidated:
            progress.debug("later stages invalidated", stages=",".join(invalidated))
        self.ran.append(name)
        return True

    def _update_summary(self) -> None:
        """What a user wants at a glance, kept in the manifest (web UI and scripts read it)."""
        job = self.workspace
        summary: dict[str, Any] = {
            "stages_completed": [n for n in STAGES if job.stage(n).status == "completed"]
        }
        items = job.path("semantic/semantic_item_set.json")
        if items.is_file():
            item_set = read_json(items)
            summary["items"] = len(item_set.get("intervals", []))
            not_pitched = (item_set.get("metadata") or {}).get("products_not_pitched")
            if not_pitched is not None:
                summary["products_not_pitched"] = not_pitched
        result = job.path("renders/execution_result.json")
        if result.is_file() and job.stage("render").status == "completed":
            data = read_json(result)
            summary["clips_rendered"] = data.get("success_count", 0)
            summary["clips_failed"] = data.get("failure_count", 0)
        summary["dropped"] = sum(1 for d in job.manifest.dropped if d.kind == "dropped")
        summary["failed"] = sum(1 for d in job.manifest.dropped if d.kind == "failed")
        job.update(summary=summary)

    # --- one item, one plan ---------------------------------------------------------------------

    def reanalyze_item(self, item_id: str) -> list[ItemEditPlan]:
        """Plan one item again and splice its plans into the job's edit plan, in place of that
        item's old ones; every other item's segments stay as they were."""
        from clipora_core.stages.analyze import item_set
        from clipora_core.stages.plans import analyze_item, build_edit_plan
        from clipora_core.stages.presence import PresenceSampler
        from clipora_core.stages.video_type import analyzer, analyzer_context

        self.run_through("semantic_cluster")
        job = self.workspace
        ctx = self.context("analyze")
        items = {i.id: i for i in item_set(ctx).intervals}
        if item_id not in items:
            raise UsageError(
                f"semantic item not found: {item_id}", hint=f"items: {', '.join(items) or 'none'}"
            )
        presence = PresenceSampler(ctx)
        try:
            plans = analyze_item(
                ctx, analyzer(ctx), analyzer_context(ctx), items[item_id], presence
            )
        finally:
            presence.close()
        new_segments = [s for p in plans for s in p.segments]
        plan_path = job.path("analysis/edit_plan.json")
        segments = new_segments
        if plan_path.is_file():
            old = EditPlan.model_validate(job.read_json("analysis/edit_plan.json"))
            kept = [s for s in old.segments if s.metadata.get("semantic_item_id") != item_id]
            segments = kept + new_segments
        job.write_json("analysis/edit_plan.json", build_edit_plan(ctx, segments, []))
        job.invalidate_after("analyze")
        for p in plans:
            ctx.progress.info(
                "item plan written",
                item_plan=str(job.path(f"analysis/items/{p.item_plan_id}.json")),
            )
        return plans

    def replay_plan(self, plan_path: Path) -> tuple[EditPlan, ExecutionResult]:
        """Render a plan a user hands in, on the job's current effective source; cleaning is
        never redone for it."""
        from clipora_core.stages.plans import load_plan
        from clipora_core.stages.render import render_plan

        job = self.workspace
        if job.stage("inspect").status != "completed":
            self.run_through("inspect")
        plan = load_plan(job, self.probe(), plan_path)  # validated before any encoding
        job.set_stage("render", "running", f"plan={plan_path}")
        try:
            job.clear_dirs("renders")
            result = render_plan(self.context("render"), plan)
        except BaseException as exc:
            stage_failed(job, "render", exc)
            raise
        fp = fingerprint(
            {"plan": plan.model_dump(mode="json"), "render": self.fingerprint_for("render")}
        )
        job.set_stage(
            "render",
            "completed",
            f"plan={plan_path.name} success={result.success_count} failure={result.failure_count}",
            fingerprint=fp,
        )
        return plan, result
