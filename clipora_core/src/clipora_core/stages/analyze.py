"""analyze: plan every item (hook + body windows) in parallel; one failing item is recorded and
the others go on. When the run goes on to render, each item's clips start rendering as soon as
it is planned."""

from __future__ import annotations

import concurrent.futures as cf
import threading
from typing import TYPE_CHECKING

from clipora_core.capabilities import Capability, Kind
from clipora_core.contracts import DroppedUnit, ItemEditPlan, SemanticItemInterval, SemanticItemSet
from clipora_core.errors import CliporaError, StageError
from clipora_core.stages.base import StageContext
from clipora_core.stages.plans import analyze_item, build_edit_plan
from clipora_core.stages.presence import PresenceSampler
from clipora_core.stages.render import RenderStreamer
from clipora_core.stages.video_type import analyzer, analyzer_context

if TYPE_CHECKING:
    from clipora_core.engine import Engine


def item_set(ctx: StageContext) -> SemanticItemSet:
    return SemanticItemSet.model_validate(ctx.job.read_json("semantic/semantic_item_set.json"))


class AnalyzeStage:
    name = "analyze"
    reuses_outputs = False
    outputs: tuple[str, ...] = ("analysis",)
    # The analyzer's own options count through its capability's config_keys.
    config: tuple[str, ...] = ("analysis.video_type", "analysis.pose_presence")

    def capabilities(self, engine: Engine) -> list[Capability]:
        s = engine.settings
        caps = [engine.capability(Kind.VIDEO_TYPE, engine.video_type, "analysis.video_type")]
        if s.analysis.pose_presence.enabled:
            caps.append(
                engine.capability(
                    Kind.PRESENCE_DETECTOR,
                    s.analysis.pose_presence.detector,
                    "analysis.pose_presence.detector",
                )
            )
        return caps

    def run(self, ctx: StageContext) -> str:
        job, progress = ctx.job, ctx.progress
        items = item_set(ctx).intervals
        video_type = analyzer(ctx)
        actx = analyzer_context(ctx)
        presence = PresenceSampler(ctx)
        plans_by_item: dict[str, list[ItemEditPlan]] = {}
        done = 0
        lock = threading.Lock()
        streamer = RenderStreamer.start(ctx) if ctx.engine.stream_render else None

        def failed(item: SemanticItemInterval, reason: str) -> None:
            with lock:
                actx.dropped.append(
                    DroppedUnit(
                        stage="analyze", unit="item", id=item.id, reason=reason, kind="failed"
                    )
                )
            progress.warning(f"item {item.id} failed: {reason}")

        def work(item: SemanticItemInterval) -> None:
            nonlocal done
            plans: list[ItemEditPlan] = []
            try:
                plans = analyze_item(ctx, video_type, actx, item, presence)
            except CliporaError as exc:
                failed(item, exc.one_line())
            except Exception as exc:  # noqa: BLE001 - one bad item must not sink the others
                failed(item, f"{type(exc).__name__}: {exc}")
            with lock:
                plans_by_item[item.id] = plans
                done += 1
            progress.update(done, len(items), message=item.id)
            if streamer is not None:
                streamer.submit([seg for p in plans for seg in p.segments])

        workers = max(1, int(ctx.settings.concurrency.analyze))
        try:
            with cf.ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(work, items))
        finally:
            if streamer is not None:
                streamer.close()
            presence.close()
        segments = [
            seg
            for item in items
            for plan in plans_by_item.get(item.id, [])
            for seg in plan.segments
        ]
        job.write_json("analysis/edit_plan.json", build_edit_plan(ctx, segments, actx.dropped))
        job.record_dropped(actx.dropped, "analyze")
        n_failed = sum(1 for d in actx.dropped if d.kind == "failed")
        if items and not segments:
            raise StageError(f"every item failed to analyze ({n_failed}); see {job.log_path}")
        return f"segments={len(segments)} items={len(items)} failed={n_failed}"
