"""Edit plans: one item's plans from the analyzer, the job's whole plan, and reading a plan a
user hands back (``render --plan``) with the checks that keep it to this job's source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from clipora_core.capabilities import AnalyzerContext
from clipora_core.contracts import (
    DroppedUnit,
    EditPlan,
    EditPlanSegment,
    ItemEditPlan,
    MediaProbe,
    SemanticItemInterval,
    first_error,
)
from clipora_core.errors import InputError, StageError
from clipora_core.fileio import read_json
from clipora_core.fingerprints import sampled_file_hash
from clipora_core.stages.base import StageContext
from clipora_core.stages.presence import PresenceSampler
from clipora_core.timeline import to_original_windows
from clipora_core.workspace import JobWorkspace


def analyze_item(
    ctx: StageContext,
    analyzer: Any,
    actx: AnalyzerContext,
    item: SemanticItemInterval,
    presence: PresenceSampler,
) -> list[ItemEditPlan]:
    """Plan one item and write its item plans to ``analysis/items/``."""
    job = ctx.job
    probe = ctx.probe()
    if presence.enabled and item.id not in actx.presence:
        actx.presence[item.id] = presence.report(item, actx.progress)
    segments = analyzer.analyze_item(actx, item)
    time_map = ctx.time_map()
    source_fp = sampled_file_hash(job.effective_source)
    plans = []
    for seg in segments:
        seg.original_windows = to_original_windows(seg.windows, time_map)
        seg.metadata.setdefault("semantic_item_id", item.id)
        _check_windows(seg, probe)
        plan = ItemEditPlan(
            item_plan_id=seg.id,
            semantic_item_id=item.id,
            subtitle_plan_id=None,
            source_path=str(job.effective_source),
            source_probe=ctx.media_probe(),
            strategy=ctx.engine.video_type,
            segments=[seg],
            metadata={
                "semantic_interval_title": item.title,
                "semantic_interval_summary": item.summary,
            },
            source_fingerprint=source_fp,
        )
        job.write_json(f"analysis/items/{seg.id}.json", plan)
        plans.append(plan)
    return plans


def _check_windows(seg: EditPlanSegment, probe: MediaProbe) -> None:
    dur = probe.duration_seconds
    for w in seg.windows:
        if dur and w.end_seconds > dur + 0.05:
            raise StageError(
                f"segment {seg.id} window ends at {w.end_seconds:.2f}s after the source ends ({dur:.2f}s)"
            )


def build_edit_plan(
    ctx: StageContext, segments: list[EditPlanSegment], dropped: list[DroppedUnit]
) -> EditPlan:
    job = ctx.job
    metadata: dict[str, Any] = {"segment_count": len(segments)}
    if dropped:
        metadata["skipped_semantic_items"] = [
            {"semantic_item_id": d.id, "error": d.reason} for d in dropped if d.unit == "item"
        ]
    return EditPlan(
        plan_id=job.job_id,
        source_path=str(job.effective_source),
        source_probe=ctx.media_probe(),
        strategy=ctx.engine.video_type,
        segments=segments,
        metadata=metadata,
        source_fingerprint=sampled_file_hash(job.effective_source),
    )


def load_plan(
    job: JobWorkspace, probe: MediaProbe, plan_path: Path, require_segments: bool = True
) -> EditPlan:
    try:
        data = read_json(plan_path)
    except FileNotFoundError:
        raise InputError(f"plan not found: {plan_path}") from None
    except ValueError as exc:
        raise InputError(f"plan {plan_path} is not valid JSON: {exc}") from None
    try:
        if isinstance(data, dict) and "item_plan_id" in data:
            item = ItemEditPlan.model_validate(data)
            data = EditPlan(
                plan_id=item.item_plan_id,
                source_path=item.source_path,
                source_probe=item.source_probe,
                strategy=item.strategy,
                segments=item.segments,
                source_fingerprint=item.source_fingerprint,
            ).model_dump(mode="json")
        plan = EditPlan.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"plan {plan_path} is invalid: {first_error(exc)}") from None
    validate_plan(job, probe, plan, plan_path)
    if require_segments and not plan.segments:
        raise InputError(f"{plan_path} has no segments to render")
    return plan


# Where earlier versions wrote the re-encoded cleaned recording.
LEGACY_CLEANED_COPY = "clean/active_source.mp4"


def _made_on_cleaned_copy(job: JobWorkspace, plan: EditPlan) -> bool:
    """A plan from before cleaning became a time map names this job's cleaned copy, which a
    rerun of clean has since removed: its windows are on the same cleaned timeline, which the
    job now reads from the recording through the time map."""
    return (
        job.manifest.cleaning.virtual
        and Path(plan.source_path).resolve() == job.path(LEGACY_CLEANED_COPY).resolve()
        and not job.path(LEGACY_CLEANED_COPY).exists()
    )


def validate_plan(
    job: JobWorkspace, probe: MediaProbe, plan: EditPlan, where: Path | str = "plan"
) -> None:
    effective = job.effective_source
    if _made_on_cleaned_copy(job, plan):
        pass
    elif plan.source_fingerprint and plan.source_fingerprint != sampled_file_hash(effective):
        raise InputError(
            f"{where} was made for another source ({plan.source_path}), not this job's video",
            hint="render it in the job it came from",
        )
    if not plan.source_fingerprint and Path(plan.source_path).resolve() != effective.resolve():
        raise InputError(
            f"{where} references another source ({plan.source_path})",
            hint=f"its source_path must be {effective}",
        )
    dur = probe.duration_seconds
    for seg in plan.segments:
        for w in seg.windows:
            if w.end_seconds > dur + 0.05:
                raise InputError(
                    f"{where}: segment {seg.id} window {w.start_seconds:.2f}-{w.end_seconds:.2f}s "
                    f"falls outside the source (duration {dur:.2f}s)"
                )
