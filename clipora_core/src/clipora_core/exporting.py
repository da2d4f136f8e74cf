"""A job's plan as files an editor opens: what ``clipora export`` hands an exporter.

Every clip of the plan (the job's ``analysis/edit_plan.json``, or a plan the user gives) becomes
an :class:`ExportClip` whose cuts are on the **original recording's** clock (a window across a
span cleaning removed becomes two cuts), so the editor links the recording itself, not a cleaned copy.
Files go to ``exports/<format>/`` in the job; an export replaces that folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clipora_core.capabilities import Kind
from clipora_core.contracts import EditPlan, ExecutionResult
from clipora_core.errors import StageError
from clipora_core.exporters import ExportClip, ExportRequest
from clipora_core.progress import StageProgress
from clipora_core.timeline import to_original_windows

EXPORTS_DIR = "exports"


def export_clips(engine: Any, plan: EditPlan) -> list[ExportClip]:
    job = engine.workspace
    time_map = engine.media_time_map()
    rendered: dict[str, Path] = {}
    result_path = job.path("renders/execution_result.json")
    if result_path.is_file():
        result = ExecutionResult.model_validate(job.read_json("renders/execution_result.json"))
        rendered = {a.clip_id: Path(a.output_path) for a in result.artifacts if a.success}
    return [
        ExportClip(
            clip_id=seg.id,
            title=seg.title or seg.id,
            variant=seg.variant,
            cuts=to_original_windows(list(seg.windows), time_map)
            if time_map
            else list(seg.windows),
            rendered_path=rendered.get(seg.id),
        )
        for seg in plan.segments
    ]


def export_plan(engine: Any, fmt: str, plan_path: Path | None = None) -> list[Path]:
    """Write the plan's clips in format ``fmt``; returns the files."""
    from clipora_core.stages.plans import load_plan

    job = engine.workspace
    path = plan_path or job.path("analysis/edit_plan.json")
    if plan_path is None and not path.is_file():
        raise StageError(
            "the job has no edit plan to export yet", hint="run `clipora analyze <job>` first"
        )
    plan = load_plan(job, engine.probe(), path)
    exporter = engine.instance(Kind.EXPORTER, fmt, "")
    out_dir = job.path(f"{EXPORTS_DIR}/{fmt}")
    job.clear_dirs(f"{EXPORTS_DIR}/{fmt}")
    out_dir.mkdir(parents=True, exist_ok=True)
    files = exporter.export(
        ExportRequest(
            source_path=job.source_path,
            probe=engine.media_probe(),
            clips=export_clips(engine, plan),
            out_dir=out_dir,
            progress=StageProgress(job, "export"),
            playback_speed=float(engine.settings.render.playback_speed),
        )
    )
    job.update(outputs=dict(job.manifest.outputs, **{f"export_{fmt}": [str(f) for f in files]}))
    return [Path(f) for f in files]
