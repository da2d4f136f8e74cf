"""semantic_cluster: group the discovered intervals into items (one per product), drop items
too short to clip, and report listed products that were never pitched."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clipora_core.capabilities import Capability, Kind
from clipora_core.contracts import (
    DiscoveredInterval,
    DroppedUnit,
    SemanticItemInterval,
    SemanticItemSet,
)
from clipora_core.stages.base import StageContext
from clipora_core.stages.video_type import analyzer, analyzer_context
from clipora_core.timeline import to_original_windows

if TYPE_CHECKING:
    from clipora_core.engine import Engine


class SemanticClusterStage:
    name = "semantic_cluster"
    reuses_outputs = False
    outputs: tuple[str, ...] = (
        "semantic/items",
        "semantic/semantic_item_set.json",
        "semantic/cluster_plan.json",
    )
    config: tuple[str, ...] = (
        "analysis.video_type",
        "analysis.semantic_*",
        "analysis.cluster_*",
    )

    def capabilities(self, engine: Engine) -> list[Capability]:
        return [engine.capability(Kind.VIDEO_TYPE, engine.video_type, "analysis.video_type")]

    def run(self, ctx: StageContext) -> str:
        job, progress = ctx.job, ctx.progress
        actx = analyzer_context(ctx)
        intervals = [
            DiscoveredInterval.model_validate(d)
            for d in job.read_json("semantic/discovered_intervals.json")
        ]
        result = analyzer(ctx).cluster(actx, intervals)
        min_duration = ctx.settings.analysis.semantic_min_duration_seconds
        time_map = ctx.time_map()
        kept: list[SemanticItemInterval] = []
        for item in result.items:
            if item.total_duration_seconds < min_duration:
                actx.dropped.append(
                    DroppedUnit(
                        stage="semantic_cluster",
                        unit="item",
                        id=item.id,
                        reason=(
                            f"too short: {item.total_duration_seconds:.1f}s < "
                            f"analysis.semantic_min_duration_seconds={min_duration:g}"
                        ),
                    )
                )
                continue
            item.original_windows = to_original_windows(item.windows, time_map)
            kept.append(item)
        metadata: dict[str, Any] = {"interval_count": len(kept)}
        if actx.products is not None:
            metadata["products_not_pitched"] = list(result.products_not_pitched)
            if result.products_not_pitched:
                progress.warning(
                    "on the product list but not found in the speech: "
                    + ", ".join(result.products_not_pitched)
                )
        item_set = SemanticItemSet(
            job_id=job.job_id,
            intervals=kept,
            metadata=metadata,
            dropped=[d for d in actx.dropped if d.stage == "semantic_cluster"],
        )
        job.write_json("semantic/cluster_plan.json", result.debug)
        paths = [str(job.write_json(f"semantic/items/{i.id}.json", i)) for i in kept]
        job.write_json("semantic/semantic_item_set.json", item_set)
        job.update(outputs=dict(job.manifest.outputs, semantic_items=paths))
        job.record_dropped(actx.dropped, "semantic_cluster")
        for d in actx.dropped:
            progress.warning(f"dropped {d.unit} {d.id}: {d.reason}")
        if not kept:
            progress.warning("no product-selling items were found; nothing to clip")
        return f"items={len(kept)} dropped={len(actx.dropped)}"
