"""Pydantic models for every artifact Clipora writes to disk.

File and field names follow the earlier tool (docs/reference-spec.md sections 2-3) so that plans
and transcripts stay interchangeable; additions are marked. Times are seconds on the job's
*effective* timeline (after cleaning) unless a field says ``original``: plans and render results
carry both so users can look the moment up in the original recording.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

EFFECTIVE_TIMELINE = "effective"


def utc_now() -> str:
    return datetime.now(UTC).isoformat()


class Model(BaseModel):
    """Base for on-disk contracts: unknown fields are kept, not silently dropped."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def first_error(exc: ValidationError) -> str:
    """A pydantic error as one line: where, then what."""
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    msg = str(first["msg"]).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


class Document(Model):
    """A whole file on disk (not a part of one): it carries the version of its schema. Files
    written before versions existed read as version 1; a newer version than this Clipora knows
    is refused with a message that says to upgrade, never misread."""

    SCHEMA_VERSION: ClassVar[int] = 1
    schema_version: int = 1

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, v: int) -> int:
        if v > cls.SCHEMA_VERSION:
            raise ValueError(
                f"schema version {v} is newer than this Clipora reads ({cls.SCHEMA_VERSION}); "
                "upgrade Clipora to open it"
            )
        if v < 1:
            raise ValueError(f"schema version {v} is not a Clipora schema version")
        return v


class TimeWindow(Model):
    start_seconds: float = Field(ge=0)
    end_seconds: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if not (math.isfinite(self.start_seconds) and math.isfinite(self.end_seconds)):
            raise ValueError("window times must be finite")
        if self.end_seconds <= self.start_seconds:
            raise ValueError(
                f"window end {self.end_seconds} must be after start {self.start_seconds}"
            )
        return self

    @property
    def duration(self) -> float:
        return self.end_seconds - self.start_seconds


class StreamInfo(Model):
    index: int
    kind: Literal["video", "audio", "subtitle", "data", "other"]
    codec: str = ""
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    rotation: int = 0
    frame_rate: float | None = None
    pix_fmt: str | None = None
    sample_rate: int | None = None
    channels: int | None = None


class MediaProbe(Model):
    """Probe of one media file (``inspect/probe.json``; reference fields first)."""

    duration_seconds: float = 0.0
    audio_codec: str = ""
    video_codec: str = ""
    video_width: int = 0
    video_height: int = 0
    video_avg_frame_rate: str = ""
    video_r_frame_rate: str = ""
    # Additions.
    path: str = ""
    container: str = ""
    size_bytes: int = 0
    has_video: bool = False
    has_audio: bool = False
    frame_rate: float | None = None
    variable_frame_rate: bool = False
    rotation: int = 0
    streams: list[StreamInfo] = Field(default_factory=list)


class TimeMapEntry(Model):
    source_start_seconds: float
    source_end_seconds: float
    cleaned_start_seconds: float
    cleaned_end_seconds: float


class RemovalInterval(Model):
    start_seconds: float
    end_seconds: float
    detected_start_seconds: float
    detected_end_seconds: float
    reason: str = "frozen"


class CleaningSummary(Model):
    enabled: bool = False
    removed: bool = False
    removed_interval_count: int = 0
    removed_duration_seconds: float = 0.0
    original_duration_seconds: float = 0.0
    cleaned_duration_seconds: float = 0.0
    cleaners: list[str] = Field(default_factory=list)
    # True: the cleaned timeline is the recording read through clean/time_map.json. Jobs
    # cleaned by earlier versions (False) have a re-encoded copy as their effective source.
    virtual: bool = False


class TranscriptWord(Model):
    start_seconds: float
    end_seconds: float
    text: str


class TranscriptSegment(Model):
    id: str
    start_seconds: float
    end_seconds: float
    text: str
    words: list[TranscriptWord] = Field(default_factory=list)


class Transcript(Document):
    text: str = ""
    segments: list[TranscriptSegment] = Field(default_factory=list)
    # Additions: what produced it, so a cached or imported transcript is traceable.
    language: str | None = None
    backend: str = ""
    model: str = ""
    duration_seconds: float | None = None
    warnings: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fill_text(self) -> Transcript:
        if not self.text and self.segments:
            self.text = " ".join(s.text.strip() for s in self.segments).strip()
        return self


class DiscoveredInterval(Model):
    id: str
    start_segment_number: int = Field(ge=1)
    end_segment_number: int = Field(ge=1)
    title: str = ""
    summary: str = ""
    start_seconds: float | None = None
    end_seconds: float | None = None


class SemanticItemInterval(Model):
    id: str
    windows: list[TimeWindow] = Field(min_length=1)
    title: str = ""
    summary: str = ""
    transcript_text: str = ""
    total_duration_seconds: float = 0.0
    metadata: dict[str, Any] = Field(default_factory=dict)
    original_windows: list[TimeWindow] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_windows(self) -> SemanticItemInterval:
        ordered = sorted(self.windows, key=lambda w: w.start_seconds)
        for prev, cur in zip(ordered, ordered[1:], strict=False):
            if prev.end_seconds > cur.start_seconds + 1e-9:
                raise ValueError(f"semantic item {self.id} has overlapping windows")
        total = sum(w.duration for w in self.windows)
        if not self.total_duration_seconds:
            self.total_duration_seconds = round(total, 6)
        return self


class DroppedUnit(Model):
    """Anything the pipeline dropped or failed on, with why: nothing disappears silently."""

    stage: str
    unit: str  # "window", "interval", "item", "segment", "clip", ...
    id: str
    reason: str
    kind: Literal["dropped", "failed"] = "dropped"


class SemanticItemSet(Document):
    job_id: str
    intervals: list[SemanticItemInterval] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    dropped: list[DroppedUnit] = Field(default_factory=list)


class ScorePart(Model):
    """One named part of a clip's score: how well the clip does it (0..1) and why."""

    value: float = Field(ge=0, le=1)
    weight: float = Field(ge=0)
    reason: str = ""


class ClipScore(Model):
    """How postable a clip is, 0-100: the weighted parts (hook, product named, price stated,
    call to action, completeness, length fit, or whatever the video type scores)."""

    total: float = Field(ge=0, le=100)
    parts: dict[str, ScorePart] = Field(default_factory=dict)


class EditPlanSegment(Model):
    id: str
    windows: list[TimeWindow] = Field(min_length=1)
    start_seconds: float = 0.0
    end_seconds: float = 0.0
    title: str = ""
    summary: str = ""
    variant: str = "1"
    metadata: dict[str, Any] = Field(default_factory=dict)
    # Addition: the same windows on the original recording's timeline (differs after cleaning).
    original_windows: list[TimeWindow] = Field(default_factory=list)
    # Addition, optional so plans without it (older ones, hand-written ones) stay valid: old
    # readers keep it as an unknown field, so the plan's schema version stays.
    score: ClipScore | None = None
    # Addition (optional): the product's price from the seller's list, for a title banner.
    price: float | None = Field(None, ge=0)

    @field_validator("id")
    @classmethod
    def _safe_id(cls, v: str) -> str:
        return _safe_identifier(v, "segment id")

    @model_validator(mode="after")
    def _envelope(self) -> EditPlanSegment:
        self.start_seconds = min(w.start_seconds for w in self.windows)
        self.end_seconds = max(w.end_seconds for w in self.windows)
        return self

    @property
    def duration(self) -> float:
        return sum(w.duration for w in self.windows)


def _safe_identifier(v: str, what: str) -> str:
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", v or "") or v in {".", ".."}:
        raise ValueError(f"{what} {v!r} may only contain letters, digits, '.', '_' and '-'")
    return v


class EditPlan(Document):
    plan_id: str
    source_path: str
    source_probe: MediaProbe = Field(default_factory=MediaProbe)
    strategy: str = ""  # the video type that planned it
    timeline: str = EFFECTIVE_TIMELINE
    segments: list[EditPlanSegment] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    # Addition: fingerprint of the effective source so a plan cannot be replayed on another one.
    source_fingerprint: str = ""

    @model_validator(mode="after")
    def _check(self) -> EditPlan:
        if not self.source_path.strip():
            raise ValueError("plan source_path is empty")
        ids = [s.id for s in self.segments]
        if len(ids) != len(set(ids)):
            raise ValueError("plan segment ids must be unique")
        return self


class ItemEditPlan(Document):
    item_plan_id: str
    semantic_item_id: str
    subtitle_plan_id: str | None = None
    source_path: str
    source_probe: MediaProbe = Field(default_factory=MediaProbe)
    strategy: str = ""  # the video type that planned it
    timeline: str = EFFECTIVE_TIMELINE
    segments: list[EditPlanSegment] = Field(min_length=1)
    metadata: dict[str, Any] = Field(default_factory=dict)
    source_fingerprint: str = ""


class ExecutionArtifact(Model):
    clip_id: str
    output_path: str
    success: bool
    error_detail: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)
    duration_seconds: float | None = None
    windows: list[TimeWindow] = Field(default_factory=list)
    original_windows: list[TimeWindow] = Field(default_factory=list)
    subtitle_paths: dict[str, str] = Field(default_factory=dict)
    burned_output_path: str | None = None
    # Additions (optional, as on the plan segment): the segment's score and the clip's cover.
    score: ClipScore | None = None
    cover_path: str | None = None


class ExecutionResult(Document):
    plan_id: str
    artifacts: list[ExecutionArtifact] = Field(default_factory=list)
    success_count: int = 0
    failure_count: int = 0


class PresenceSample(Model):
    timestamp_seconds: float
    status: Literal["present", "absent", "uncertain"]
    score: float = 0.0
    reason: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)


class SubjectBox(Model):
    """Something to keep in frame, as fractions of the (displayed) frame: 0,0 is top left."""

    kind: Literal["person", "hands", "salient"]
    left: float = Field(ge=0, le=1)
    top: float = Field(ge=0, le=1)
    right: float = Field(ge=0, le=1)
    bottom: float = Field(ge=0, le=1)
    score: float = Field(1.0, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> SubjectBox:
        if self.right < self.left or self.bottom < self.top:
            raise ValueError("a subject box needs left <= right and top <= bottom")
        return self


class SubjectSample(Model):
    """The subjects a detector found in the frame at one time (empty: none found)."""

    timestamp_seconds: float
    boxes: list[SubjectBox] = Field(default_factory=list)


class PresenceReport(Document):
    semantic_item_id: str
    detector: str
    sample_interval_seconds: float
    samples: list[PresenceSample] = Field(default_factory=list)
    present_windows: list[TimeWindow] = Field(default_factory=list)
    absent_windows: list[TimeWindow] = Field(default_factory=list)


class Product(Model):
    """One product of the seller's list. ``start_seconds``/``end_seconds`` are the platform's
    explanation markers (讲解), on the original recording's timeline."""

    name: str
    aliases: list[str] = Field(default_factory=list)
    price: float | None = Field(None, ge=0)
    start_seconds: float | None = Field(None, ge=0)
    end_seconds: float | None = Field(None, ge=0)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("product name is empty")
        return v

    @model_validator(mode="after")
    def _tidy(self) -> Product:
        # Aliases only help recognition and matching when they differ from the name and each
        # other; a spreadsheet export often repeats them.
        seen = {self.name.casefold()}
        aliases = []
        for alias in self.aliases:
            alias = alias.strip()
            if alias and alias.casefold() not in seen:
                seen.add(alias.casefold())
                aliases.append(alias)
        self.aliases = aliases
        for value in (self.price, self.start_seconds, self.end_seconds):
            if value is not None and not math.isfinite(value):
                raise ValueError("product numbers must be finite")
        if (
            self.start_seconds is not None
            and self.end_seconds is not None
            and self.end_seconds <= self.start_seconds
        ):
            raise ValueError(
                f"end {self.end_seconds:g}s must be after start {self.start_seconds:g}s"
            )
        return self


class ProductList(Document):
    """The seller's product list for one session (``inputs/products.json`` in a job)."""

    source: str = ""  # the file name it came from
    products: list[Product] = Field(default_factory=list)

    def hotwords(self) -> list[str]:
        """Names and aliases, each once: first each product's shortest form (what hosts say,
        and what fits a recogniser's limited prompt), in list order, then the other forms."""
        first = [min((p.name, *p.aliases), key=len) for p in self.products]
        rest = [w for p in self.products for w in (p.name, *p.aliases)]
        return list(dict.fromkeys(first + rest))

    def digest(self) -> str:
        """sha256 of the products' canonical JSON: the same list gives the same digest, whatever
        file it came from."""
        import hashlib
        import json

        data = [p.model_dump(mode="json") for p in self.products]
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Resources(Model):
    """What one unit of work needs while it runs; executors schedule by it."""

    cpus: float = Field(1.0, gt=0)
    memory_mb: int = Field(1024, gt=0)
    gpus: float = Field(0.0, ge=0)


class WorkUnit(Document):
    """A piece of work the kernel hands an executor: a whole recording (its job run through
    ``last_stage``), one clip of a job's plan, or one span of a long recording's speech. Everything travels by path on storage every
    worker shares; the worker loads the config itself from ``config_file`` and ``config_sets``
    on top of the job's remembered ``--set`` values."""

    kind: Literal["recording", "render_clip", "asr_span"]
    id: str
    job_dir: str
    config_file: str | None = None
    config_sets: list[str] = Field(default_factory=list)
    last_stage: str = "render"
    # The plan segment a render_clip unit renders (it may not be in edit_plan.json yet).
    segment: dict[str, Any] | None = None
    # What else a kind of unit needs (an asr_span unit: its span, pieces, language, hotwords).
    payload: dict[str, Any] = Field(default_factory=dict)
    # Where a recording unit sends its own clip renders (an executor's name), or in-process.
    inner_executor: str | None = None
    thumbnails: bool = True
    resources: Resources = Field(default_factory=Resources)
    # Times a unit whose worker died is run again before it counts as failed.
    retries: int = Field(2, ge=0)


class UnitResult(Document):
    """What came back from a unit. ``ok`` false with ``error``: the unit ran and failed (bad
    input, a stage error: the job records it too); a worker that died raises instead."""

    unit_id: str
    ok: bool
    error: str = ""
    detail: dict[str, Any] = Field(default_factory=dict)
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    host: str = ""
    attempts: int = 1
