"""A small JPEG per rendered clip (``renders/thumbs/<clip>.jpg``), for reports and galleries.

Made on the worker that rendered the job (the clips are there and it has a CPU to spare): the
clip's cover (``<clip>-cover.jpg``, see covers.py) when it has one, else a frame from its middle,
scaled to 320 px wide; a thumbnail newer than its clip and cover is kept.
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
    job: JobWorkspace,
    clip_id: str,
    clip: Path,
    duration: float | None,
    media: Media,
    cover: Path | None = None,
) -> Path | None:
    """The clip's thumbnail (its ``cover`` scaled down, when given and there), made if missing or
    older than the clip or cover; None (logged) when its frame cannot be read. Safe to call for
    one clip from several threads at once: each writes its own temporary file and the last
    complete one wins."""
    thumb = thumbnail_path(job, clip_id)
    if cover is not None and not cover.is_file():
        cover = None
    newest = max(clip.stat().st_mtime_ns, cover.stat().st_mtime_ns if cover else 0)
    if thumb.is_file() and thumb.stat().st_mtime_ns >= newest:
        return thumb
    thumb.parent.mkdir(parents=True, exist_ok=True)
    middle = max(0.0, (duration or 0.0) / 2)
    source = ["-i", str(cover)] if cover else ["-ss", f"{middle:.3f}", "-i", str(clip)]
    tmp = thumb.with_name(f".{thumb.stem}.{uuid.uuid4().hex[:8]}.tmp.jpg")
    try:
        media.run(
            [*source, "-frames:v", "1", "-vf", f"scale={WIDTH}:-2", "-q:v", "4", str(tmp)],
            what=f"making the thumbnail of {clip.name}",
        )
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
            cover = Path(art.cover_path) if art.cover_path else None
            thumb = clip_thumbnail(job, art.clip_id, clip, art.duration_seconds, media, cover)
            if thumb is not None:
                out[art.clip_id] = thumb
    return out
