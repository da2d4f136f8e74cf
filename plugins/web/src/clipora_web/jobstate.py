"""A job's state as the web UI shows it, read from disk every time.

Nothing here is kept in memory between requests: the manifest (stage states, written by the CLI
process that runs the job), ``web/submission.json`` and ``renders/execution_result.json`` are the
truth, so a server restart, or a job started from the terminal, shows the same thing.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Literal

from clipora_core.api import (
    STAGES,
    ExecutionResult,
    JobManifest,
    StageState,
    best_first,
    read_json,
)
from pydantic import BaseModel, Field, ValidationError

from clipora_web.submission import RUN_LOG, WebSubmission, is_job_id, read_submission

JobStatus = Literal[
    "queued",  # waiting for a worker
    "running",
    "stopping",
    "completed",
    "failed",
    "stopped",  # stopped from the UI
    "interrupted",  # its process died or was killed (server shutdown, Ctrl-C in a terminal)
    "incomplete",  # some stages ran (e.g. `clipora clean` in a terminal), the rest never did
    "pending",  # created, never run
    "review",  # analyzed; the clips wait for the seller's review before they render
]
ACTIVE = ("queued", "running", "stopping")

# Files of a job that can be downloaded by name (besides the clips and their subtitles).
JOB_FILES: dict[str, tuple[str, str]] = {
    "plan": ("analysis/edit_plan.json", "application/json"),
    "transcript": ("semantic/transcript.json", "application/json"),
    "log": ("logs/pipeline.log", "text/plain; charset=utf-8"),
}
SUBTITLE_TYPES = {"srt": "application/x-subrip", "vtt": "text/vtt", "ass": "text/x-ssa"}


class StageView(BaseModel):
    name: str
    status: str
    detail: str = ""
    detail_text: str = Field(
        "",
        description="the detail in plain words, in the reader's language (?lang, cookie, "
        "Accept-Language)",
    )
    error: str | None = None
    progress: float | None = None
    started_at: str | None = None
    finished_at: str | None = None


class OutputView(BaseModel):
    index: int
    clip_id: str
    title: str = ""
    success: bool
    error: str = ""
    file_name: str = ""
    duration_seconds: float | None = None
    url: str | None = None
    subtitles: dict[str, str] = Field(default_factory=dict, description="format -> download URL")
    burned_url: str | None = None
    score: float | None = Field(None, description="0-100, when the video type scores clips")
    score_parts: dict[str, float] = Field(
        default_factory=dict, description="each part of the score, 0-1"
    )
    cover_url: str | None = None


class DroppedView(BaseModel):
    stage: str
    unit: str
    id: str
    reason: str
    kind: str


class JobSummary(BaseModel):
    job_id: str
    status: JobStatus
    error: str | None = None
    source_name: str
    created_at: str
    current_stage: str | None = None
    clips: int = 0


class JobSnapshot(JobSummary):
    source_path: str
    workspace: str
    from_web: bool
    overrides: dict[str, str] = Field(default_factory=dict)
    products: int | None = Field(None, description="products in the job's product list, if any")
    products_source: str = Field("", description="the file name the product list came from")
    queue_position: int | None = None
    stages: list[StageView]
    outputs: list[OutputView] = Field(default_factory=list)
    files: dict[str, str] = Field(default_factory=dict, description="name -> download URL")
    dropped: list[DroppedView] = Field(default_factory=list)
    recent_logs: list[str] = Field(default_factory=list)
    can_stop: bool = False
    can_rerun: bool = False
    rerun_disabled_reason: str | None = None


# --- locating jobs -----------------------------------------------------------------------------


def job_root(workdir: Path, job_id: str) -> Path | None:
    """The job's folder, or None. Only well-formed ids directly under the workdir count."""
    if not is_job_id(job_id):
        return None
    root = (workdir / job_id).resolve()
    if root.parent != workdir.resolve() or not (root / "manifest.json").is_file():
        return None
    return root


def list_job_roots(workdir: Path) -> list[Path]:
    if not workdir.is_dir():
        return []
    return [
        p.parent
        for p in workdir.glob("*/manifest.json")
        if is_job_id(p.parent.name) and p.is_file()
    ]


def read_manifest(root: Path) -> JobManifest | None:
    try:
        manifest = JobManifest.model_validate(read_json(root / "manifest.json"))
    except (OSError, ValueError, ValidationError):
        return None
    for name in STAGES:
        manifest.stages.setdefault(name, StageState())
    return manifest


def pid_alive(pid: int | None) -> bool:
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def inside(root: Path, candidate: str | Path | None) -> Path | None:
    """``candidate`` as an existing file inside ``root`` (symlinks resolved), else None."""
    if not candidate:
        return None
    path = Path(candidate)
    if not path.is_absolute():
        path = root / path
    try:
        path = path.resolve()
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    return path


# --- status ------------------------------------------------------------------------------------


def derive_status(
    manifest: JobManifest, submission: WebSubmission | None, active: str | None
) -> tuple[JobStatus, str | None]:
    """Overall status and the one-line reason a user should see (None when all is well)."""
    stages = manifest.stages
    last = submission.last_run if submission else None
    running = [s for s in stages.values() if s.status == "running"]
    if active in ACTIVE:
        return active, None  # type: ignore[return-value]
    if running and pid_alive(running[0].pid):
        return "running", None  # e.g. `clipora run <job>` in a terminal
    failed = next((s for s in stages.values() if s.status == "failed"), None)
    if failed is not None:
        return "failed", failed.error or failed.detail or "the stage failed"
    broken = next((s for s in stages.values() if s.status in ("interrupted", "stopped")), None)
    if running or broken is not None:
        if last is not None and last.stopped:
            return "stopped", "stopped from the web UI; rerun to continue where it stopped"
        return "interrupted", (
            "its process stopped before finishing (server restart, Ctrl-C or a crash); "
            "rerun to continue where it stopped"
        )
    last_error = None
    if last is not None and last.exit_code not in (None, 0):
        last_error = last.error or f"the run exited with code {last.exit_code}"
    if stages["render"].status == "completed":
        return "completed", last_error
    if manifest.awaiting_review and stages["analyze"].status == "completed" and not last_error:
        return "review", None
    if last is not None and last.stopped:
        return "stopped", "stopped before it started"
    if last_error:
        return "failed", last_error
    if all(s.status == "pending" for s in stages.values()):
        if submission is not None and submission.state == "queued":
            return "queued", None
        return "pending", None
    return "incomplete", None


def current_stage(manifest: JobManifest) -> str | None:
    for name in STAGES:
        if manifest.stages[name].status == "running":
            return name
    for name in STAGES:
        if manifest.stages[name].status != "completed":
            return name
    return None


# --- outputs -----------------------------------------------------------------------------------


def read_outputs(root: Path, manifest: JobManifest) -> list[dict[str, Any]]:
    """Every clip of the last render, in plan order (its index is its place in the plan), as
    plain dicts with resolved paths.

    Paths that do not resolve to an existing file inside the job folder are dropped here, so a
    download route can only ever serve what this returns.
    """
    result_path = root / "renders" / "execution_result.json"
    entries: list[dict[str, Any]] = []
    if result_path.is_file():
        with contextlib.suppress(OSError, ValueError, ValidationError):
            result = ExecutionResult.model_validate(read_json(result_path))
            for art in result.artifacts:
                video = inside(root, art.output_path) if art.success else None
                entries.append(
                    {
                        "clip_id": art.clip_id,
                        "title": str(art.metadata.get("title") or ""),
                        "success": art.success and video is not None,
                        "error": art.error_detail
                        or ("" if video or not art.success else "the clip file is missing"),
                        "path": video,
                        "duration_seconds": art.duration_seconds,
                        "subtitles": {
                            fmt: p
                            for fmt, raw in art.subtitle_paths.items()
                            if fmt in SUBTITLE_TYPES and (p := inside(root, raw)) is not None
                        },
                        "burned": inside(root, art.burned_output_path),
                        "cover": inside(root, art.cover_path),
                        "score": art.score.total if art.score else None,
                        "score_parts": {k: p.value for k, p in art.score.parts.items()}
                        if art.score
                        else {},
                    }
                )
            return entries
    for raw in manifest.outputs.get("renders", []) or []:
        video = inside(root, raw)
        if video is None:
            continue
        subs = {
            fmt: p
            for fmt in SUBTITLE_TYPES
            if (p := inside(root, video.with_suffix(f".{fmt}"))) is not None
        }
        entries.append(
            {
                "clip_id": video.stem,
                "title": "",
                "success": True,
                "error": "",
                "path": video,
                "duration_seconds": None,
                "subtitles": subs,
                "burned": None,
                "cover": None,
                "score": None,
                "score_parts": {},
            }
        )
    return entries


def output_views(job_id: str, entries: list[dict[str, Any]]) -> list[OutputView]:
    """The clips best first (highest score; unscored ones after, in plan order); each keeps
    its plan index, which its URLs use."""
    views = []
    base = f"/api/jobs/{job_id}/outputs"
    for i, e in enumerate(entries):
        views.append(
            OutputView(
                index=i,
                clip_id=e["clip_id"],
                title=e["title"],
                success=e["success"],
                error=e["error"],
                file_name=e["path"].name if e["path"] else "",
                duration_seconds=e["duration_seconds"],
                url=f"{base}/{i}" if e["success"] else None,
                subtitles={fmt: f"{base}/{i}/subtitles/{fmt}" for fmt in e["subtitles"]},
                burned_url=f"{base}/{i}/burned" if e["burned"] else None,
                score=e["score"],
                score_parts=e["score_parts"],
                cover_url=f"{base}/{i}/cover" if e["success"] and e["cover"] else None,
            )
        )
    return best_first(views, lambda v: v.score)


# --- logs --------------------------------------------------------------------------------------


def tail_lines(path: Path, limit: int) -> list[str]:
    """The last ``limit`` lines of a text file, reading only its end."""
    if limit <= 0 or not path.is_file():
        return []
    block = 8192
    data = b""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            pos = fh.tell()
            while pos > 0 and data.count(b"\n") <= limit:
                step = min(block, pos)
                pos -= step
                fh.seek(pos)
                data = fh.read(step) + data
    except OSError:
        return []
    lines = data.decode("utf-8", errors="replace").splitlines()
    return lines[-limit:]


def last_error_line(path: Path) -> str | None:
    """The last ``[clipora] error: ...`` line the CLI printed (it prints exactly one)."""
    for line in reversed(tail_lines(path, 200)):
        if "[clipora] error:" in line:
            return line.split("[clipora] error:", 1)[1].strip()
        if line.startswith("== run "):
            break
    return None


# --- views -------------------------------------------------------------------------------------


def summary(root: Path, active: str | None = None) -> JobSummary | None:
    manifest = read_manifest(root)
    if manifest is None:
        return None
    submission = read_submission(root)
    status, error = derive_status(manifest, submission, active)
    clips = (
        sum(1 for e in read_outputs(root, manifest) if e["success"]) if status == "completed" else 0
    )
    return JobSummary(
        job_id=manifest.job_id,
        status=status,
        error=error,
        source_name=(submission.source_name if submission else "")
        or Path(manifest.source.path).name,
        created_at=manifest.created_at,
        current_stage=current_stage(manifest),
        clips=clips,
    )


def snapshot(
    root: Path,
    active: str | None = None,
    queue_position: int | None = None,
    log_lines: int = 50,
) -> JobSnapshot | None:
    manifest = read_manifest(root)
    if manifest is None:
        return None
    job_id = manifest.job_id
    submission = read_submission(root)
    status, error = derive_status(manifest, submission, active)
    entries = read_outputs(root, manifest)
    stages = [
        StageView(
            name=name,
            status=st.status,
            detail=st.detail,
            error=st.error,
            progress=st.progress,
            started_at=st.started_at,
            finished_at=st.finished_at,
        )
        for name, st in ((n, manifest.stages[n]) for n in STAGES)
    ]
    external = status == "running" and active is None
    reason = None
    if status in ACTIVE:
        reason = "the job is running or queued"
    elif not manifest.source.path or not Path(manifest.source.path).exists():
        reason = "the source video is gone"
    logs = tail_lines(root / "logs" / "pipeline.log", log_lines)
    if status == "failed" and not any(s.status == "failed" for s in manifest.stages.values()):
        logs += [f"[run] {line}" for line in tail_lines(root / RUN_LOG, 10)]
    return JobSnapshot(
        job_id=job_id,
        status=status,
        error=error,
        source_name=(submission.source_name if submission else "")
        or Path(manifest.source.path).name,
        source_path=manifest.source.path,
        created_at=manifest.created_at,
        current_stage=current_stage(manifest),
        clips=sum(1 for e in entries if e["success"]),
        workspace=str(root),
        from_web=submission is not None,
        overrides=dict(submission.overrides) if submission else {},
        products=manifest.products.count if manifest.products else None,
        products_source=manifest.products.source if manifest.products else "",
        queue_position=queue_position,
        stages=stages,
        outputs=output_views(job_id, entries),
        files={
            name: f"/api/jobs/{job_id}/files/{name}"
            for name, (rel, _) in JOB_FILES.items()
            if (root / rel).is_file()
        },
        dropped=[
            DroppedView(**d.model_dump(include={"stage", "unit", "id", "reason", "kind"}))
            for d in manifest.dropped
        ],
        recent_logs=logs,
        can_stop=status in ("queued", "running") and not external,
        can_rerun=reason is None,
        rerun_disabled_reason=reason,
    )
