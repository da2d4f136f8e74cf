"""What the web UI remembers about a job it started: ``<job>/web/submission.json``.

The manifest stays the record of stage states; this file only adds what the manifest cannot know:
the per-job overrides chosen in the form (so a rerun uses them again), whether the job is waiting
in the server's queue (so a restart can pick it up again), and each run's exit status and error
line (a run can fail before any stage starts, e.g. on an invalid config).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from clipora_core.api import Model, read_json, utc_now, write_json
from pydantic import Field

JOB_ID_RE = re.compile(r"^[0-9a-f]{12}$")
SUBMISSION = "web/submission.json"
RUN_LOG = "web/run.log"

# The per-job choices the home page offers. Everything else comes from the config file.
OVERRIDE_KEYS: tuple[str, ...] = (
    "cleaning.enabled",
    "asr.mode",
    "analysis.video_type",
    "render_subtitles.mode",
    "render_subtitles.position_preset",
    "render_subtitles.font_theme",
    "render_subtitles.layout.word_highlight",
    "render.ffmpeg.aspect",
    "render.ffmpeg.fit",
    "review.enabled",
)


class RunRecord(Model):
    # render: the clips of a reviewed job (``clipora render``), nothing before them.
    action: Literal["run", "rerun", "resume", "render"] = "run"
    force: str | None = None
    queued_at: str = Field(default_factory=utc_now)
    started_at: str | None = None
    finished_at: str | None = None
    pid: int | None = None
    exit_code: int | None = None
    error: str | None = None
    stopped: bool = False


class WebSubmission(Model):
    job_id: str
    created_at: str = Field(default_factory=utc_now)
    source_name: str = ""
    uploaded: bool = False
    overrides: dict[str, str] = Field(default_factory=dict)
    # The form gave a product list (stored in the job): every run passes the job's copy, so
    # a list in the server's config does not replace the one the user chose for this job.
    products: bool = False
    # The batch it was uploaded in, with other recordings (None: uploaded alone).
    batch_id: str | None = None
    # queued: waiting for a worker (picked up again after a server restart); running; idle.
    state: Literal["queued", "running", "idle"] = "queued"
    runs: list[RunRecord] = Field(default_factory=list)

    @property
    def last_run(self) -> RunRecord | None:
        return self.runs[-1] if self.runs else None


def is_job_id(value: str) -> bool:
    return bool(JOB_ID_RE.fullmatch(value or ""))


def read_submission(job_root: Path) -> WebSubmission | None:
    path = job_root / SUBMISSION
    if not path.is_file():
        return None
    try:
        return WebSubmission.model_validate(read_json(path))
    except (OSError, ValueError):
        return None


def write_submission(job_root: Path, submission: WebSubmission) -> None:
    write_json(job_root / SUBMISSION, submission)


def override_args(overrides: dict[str, Any]) -> list[str]:
    """``--set KEY=VALUE`` arguments for the whitelisted overrides only."""
    args: list[str] = []
    for key in OVERRIDE_KEYS:
        value = overrides.get(key)
        if value is None or value == "":
            continue
        args += ["--set", f"{key}={value}"]
    return args
