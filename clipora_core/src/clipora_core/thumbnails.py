"""A small JPEG per rendered clip (``renders/thumbs/<clip>.jpg``), for reports and galleries.

Made on the worker that rendered the job (the clips are there and it has a CPU to spare), one
frame from the middle of each clip, scaled to 320 px wide; a thumbnail newer than its clip is
kept.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from clipora_core.contracts import ExecutionResult
from clipora_core.errors import CliporaError
from clipora_core.media import Media
from clipora_core.workspace import JobWorkspace

THUMBS_DIR = "renders/thumbs"
WIDTH = 320


def thumbnail_path(job: JobWorkspace, clip_id: str) -> Path:
    return job.path(f"{THUMBS_DIR}/{clip_id}.jpg")


def clip_thumbnail(
    job: JobWorkspace, clip_id: str, clip: Path, duration: float | None, media: Media
) -> Path | None:
    """The clip's thumbnail, made if missing or older than the clip; None (logged) when its
    frame cannot be read. Safe to call for one clip from several threads at once: each writes
    its own temporary file and the last complete one wins."""
    thumb = thumbnail_path(job, clip_id)
    if thumb.is_file() and thumb.stat().st_mtime_ns >= clip.stat().st_mtime_ns:
        return thumb
    thumb.parent.mkdir(parents=True, exist_ok=True)
    middle = max(0.0, (duration or 0.0) / 2)
    tmp = thumb.with_name(f".{thumb.stem}.{uuid.uuid4().hex[:8]}.tmp.jpg")
    try:
        media.run(
            ["-ss", f"{middle:.3f}", "-i", str(clip), "-frames:v", "1",
             "-vf", f"scale={WIDTH}:-2", "-q:v", "4", str(tmp)],
            what=f"making the thumbnail of {clip.name}",
        )  # fmt: skip
    except CliporaError as exc:
        tmp.unlink(missing_ok=True)
        job.log(f"no thumbnail for {clip.name}: {exc.one_line()}", level="warning")
        return None
    tmp.replace(thumb)
    return thumb


def clip_thumbnails(job: JobWorkspace, media: Media) -> dict[str, Path]:
    """Thumbnails of the job's successful clips (clip id -> path); a clip whose frame cannot
    be read gets none and is logged, never failing the job."""
    result_path = job.path("renders/execution_result.json")
    if not result_path.is_file():
        return {}
    result = ExecutionResult.model_validate(job.read_json("renders/execution_result.json"))
    out: dict[str, Path] = {}
    for art in result.artifacts:
        clip = Path(art.output_path)
        if art.success and clip.is_file():
            thumb = clip_thumbnail(job, art.clip_id, clip, art.duration_seconds, media)
            if thumb is not None:
                out[art.clip_id] = thumb
    return out
