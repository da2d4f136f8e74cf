"""render: the job's edit plan to clips (mp4 + subtitles), clips rendered in parallel and
reused when their inputs are unchanged; also what ``render --plan`` replays through."""

from __future__ import annotations

import concurrent.futures as cf
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clipora_core.capabilities import Capability, Kind
from clipora_core.contracts import (
    DroppedUnit,
    EditPlan,
    EditPlanSegment,
    ExecutionArtifact,
    ExecutionResult,
    Resources,
    WorkUnit,
)
from clipora_core.covers import make_covers
from clipora_core.errors import CliporaError, StageError
from clipora_core.progress import StageProgress
from clipora_core.stages.base import StageContext
from clipora_core.stages.plans import load_plan

if TYPE_CHECKING:
    from clipora_core.engine import Engine


class RenderStage:
    name = "render"
    outputs: tuple[str, ...] = ("renders",)
    # Clips are checked one by one and reused: the folder is cleared only by --force.
    reuses_outputs = True
    config: tuple[str, ...] = ("render", "render_subtitles")

    def capabilities(self, engine: Engine) -> list[Capability]:
        from clipora_core.rendering import burn_in_format, subtitle_formats

        s = engine.settings
        caps = [engine.capability(Kind.RENDERER, s.render.renderer, "render.renderer")]
        for fmt in subtitle_formats(s, burn_in_format(engine)):
            caps.append(engine.capability(Kind.SUBTITLE_WRITER, fmt, "render_subtitles.formats"))
        return caps

    def run(self, ctx: StageContext) -> str:
        job, progress = ctx.job, ctx.progress
        plan_path = job.path("analysis/edit_plan.json")
        if not plan_path.is_file():
            raise StageError(
                "there is no edit plan to render", hint="run `clipora analyze <job>` first"
            )
        plan = load_plan(job, ctx.probe(), plan_path, require_segments=False)
        if not plan.segments:
            progress.warning("the edit plan has no segments; nothing to render")
            job.write_json("renders/execution_result.json", ExecutionResult(plan_id=plan.plan_id))
            return "success=0 failure=0"
        result = render_plan(ctx, plan)
        if result.success_count == 0:
            raise StageError(
                f"every clip failed to render ({result.failure_count}): {result.artifacts[0].error_detail}"
            )
        return f"success={result.success_count} failure={result.failure_count}"


def render_plan(ctx: StageContext, plan: EditPlan) -> ExecutionResult:
    from clipora_core.rendering import ClipRenderer

    job, progress = ctx.job, ctx.progress
    previous = _previous_artifacts(job)
    clips = ClipRenderer.prepare(ctx)
    clips.remove_stale({seg.id for seg in plan.segments})
    results: dict[str, ExecutionArtifact] = {}
    lock = threading.Lock()
    total_seconds = sum(seg.duration for seg in plan.segments) or 1.0
    done_seconds = 0.0

    def work(seg: EditPlanSegment) -> None:
        nonlocal done_seconds
        art = render_clip(ctx, clips, seg, StageProgress(job, "render"))
        with lock:
            results[seg.id] = art
            done_seconds += seg.duration
            n = len(results)
        if not art.success:
            progress.warning(f"clip {seg.id} failed: {art.error_detail}")
        elif art.metadata.get("reused"):
            progress.info(f"clip {n}/{len(plan.segments)} reused", clip=seg.id)
        else:
            progress.info(
                f"clip {n}/{len(plan.segments)} rendered",
                clip=seg.id,
                path=Path(art.output_path).name,
            )
        progress.update(done_seconds, total_seconds, message=f"{n}/{len(plan.segments)} clips")

    workers = render_workers(ctx)
    try:
        with cf.ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(work, plan.segments))
    finally:
        clips.close()
    artifacts = [results[seg.id] for seg in plan.segments]
    for seg, art in zip(plan.segments, artifacts, strict=True):
        art.score = seg.score
    make_covers(ctx.engine, job, artifacts, previous, workers)
    result = ExecutionResult(
        plan_id=plan.plan_id,
        artifacts=artifacts,
        success_count=sum(a.success for a in artifacts),
        failure_count=sum(not a.success for a in artifacts),
    )
    job.write_json("renders/execution_result.json", result)
    job.update(
        outputs=dict(job.manifest.outputs, renders=[a.output_path for a in artifacts if a.success]),
        awaiting_review=False,
    )
    job.record_dropped(
        [
            DroppedUnit(
                stage="render", unit="clip", id=a.clip_id, reason=a.error_detail, kind="failed"
            )
            for a in artifacts
            if not a.success
        ],
        "render",
    )
    return result


def _previous_artifacts(job: Any) -> dict[str, ExecutionArtifact]:
    """The last render's artifacts by clip id (their covers may be reused), or none."""
    if not job.path("renders/execution_result.json").is_file():
        return {}
    try:
        old = ExecutionResult.model_validate(job.read_json("renders/execution_result.json"))
    except (ValueError, OSError):
        return {}
    return {a.clip_id: a for a in old.artifacts}


def render_workers(ctx: StageContext) -> int:
    """Clips in flight at once: ``concurrency.render`` here, or as many as the executor's
    CPUs when clips render on other machines."""
    workers = max(1, int(ctx.settings.concurrency.render))
    executor = ctx.engine.executor
    if executor is not None and executor.remote:
        workers = max(workers, int(executor.cpus()))
    return workers


def render_clip(
    ctx: StageContext, clips: Any, seg: EditPlanSegment, progress: StageProgress
) -> ExecutionArtifact:
    """One clip, here or through the engine's executor (on whichever machine has room)."""
    executor = ctx.engine.executor
    if executor is None or not executor.remote:
        return clips.render(seg, progress)
    reused = clips.reusable(seg)
    if reused is not None:
        reused.metadata["reused"] = True
        return reused
    job = ctx.job
    config = ctx.engine.config.path
    unit = WorkUnit(
        kind="render_clip",
        id=f"{job.job_id}/{seg.id}",
        job_dir=str(job.root),
        config_file=str(config) if config else None,
        config_sets=list(ctx.engine.unit_sets),
        segment=seg.model_dump(mode="json"),
        resources=Resources(cpus=1.0, memory_mb=768),
        retries=int(ctx.settings.batch.retries),
    )
    failed = ExecutionArtifact(clip_id=seg.id, output_path="", success=False, windows=seg.windows)
    try:
        result = executor.submit(unit).result()
    except Exception as exc:  # noqa: BLE001 - a clip whose workers kept dying fails alone
        failed.error_detail = " ".join(str(exc).split()) or type(exc).__name__
        return failed
    if not result.ok:
        failed.error_detail = result.error
        return failed
    return ExecutionArtifact.model_validate(result.detail["artifact"])


class RenderStreamer:
    """Renders analyzed items' clips in the background while later items are analyzed."""

    def __init__(self, clips: Any, ctx: StageContext, workers: int) -> None:
        self.clips = clips
        self.ctx = ctx
        self.job = ctx.job
        self.pool = cf.ThreadPoolExecutor(max_workers=max(1, workers))
        self.futures: list[cf.Future[None]] = []

    @classmethod
    def start(cls, ctx: StageContext) -> RenderStreamer | None:
        """A streamer, unless render is already done or cannot start before analysis ends."""
        from clipora_core.rendering import ClipRenderer

        if ctx.job.stage("render").status == "completed":
            return None
        try:
            clips = ClipRenderer.prepare(ctx.engine.context("render", ctx.progress))
        except CliporaError as exc:
            ctx.progress.debug("clips will render after analysis", reason=exc.one_line())
            return None
        return cls(clips, ctx, render_workers(ctx))

    def submit(self, segments: list[EditPlanSegment]) -> None:
        for seg in segments:
            self.futures.append(self.pool.submit(self._one, seg))

    def _one(self, seg: EditPlanSegment) -> None:
        progress = StageProgress(self.job, "render")
        art = render_clip(self.ctx, self.clips, seg, progress)
        if art.success:
            verb = "reused" if art.metadata.get("reused") else "rendered while analyzing"
            progress.info(f"clip {verb}", clip=seg.id)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.clips.close()
