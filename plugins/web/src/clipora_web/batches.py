"""Several recordings uploaded at once: a batch, each recording a job of its own.

The server's queue runs the jobs one after another as it runs any job; the batch only groups
them (``<workdir>/_web/batches/<id>.json``) for one page with the overall progress and, as the
jobs finish, their clips. Its report entries are the ones `clipora batch` writes into
``batch-report.json`` (``clipora_core.api.recording_entry``).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from clipora_core.api import Model, read_json, utc_now, write_json
from pydantic import BaseModel, Field

BATCH_ID_RE = re.compile(r"^b[0-9a-f]{11}$")
BATCHES_DIR = "_web/batches"


class WebBatch(Model):
    batch_id: str
    created_at: str = Field(default_factory=utc_now)
    job_ids: list[str] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)


class BatchClip(BaseModel):
    title: str
    duration_seconds: float | None = None
    url: str
    thumbnail_url: str
    score: float | None = None
    cover_url: str | None = None


class BatchJob(BaseModel):
    job_id: str
    source_name: str
    status: str
    current_stage: str | None = None
    error: str | None = None
    progress: float = Field(0.0, description="share of the job's work done, 0-1")
    clips: list[BatchClip] = Field(default_factory=list)


class BatchSnapshot(BaseModel):
    batch_id: str
    created_at: str
    active: bool
    progress: float = Field(description="share of the batch's work done, 0-1")
    counts: dict[str, int]
    jobs: list[BatchJob]
    report: list[dict[str, Any]] = Field(
        default_factory=list, description="per recording, as in `clipora batch`'s report"
    )


def new_batch_id() -> str:
    return "b" + uuid.uuid4().hex[:11]


def is_batch_id(value: str) -> bool:
    return bool(BATCH_ID_RE.fullmatch(value or ""))


def batch_path(workdir: Path, batch_id: str) -> Path:
    return workdir / BATCHES_DIR / f"{batch_id}.json"


def write_batch(workdir: Path, batch: WebBatch) -> None:
    write_json(batch_path(workdir, batch.batch_id), batch)


def read_batch(workdir: Path, batch_id: str) -> WebBatch | None:
    if not is_batch_id(batch_id):
        return None
    path = batch_path(workdir, batch_id)
    if not path.is_file():
        return None
    try:
        return WebBatch.model_validate(read_json(path))
    except (OSError, ValueError):
        return None


def job_progress(manifest: Any, status: str) -> float:
    """The share of a job's work done (a finished job counts whole)."""
    if status in ("completed", "failed", "interrupted", "stopped"):
        return 1.0
    return float(manifest.work_done()) if manifest is not None else 0.0
