"""The core's own config sections. Plugins add theirs through ``register_config_sections``,
each at a path of its own (``asr.<backend>``, ``render.<renderer>``): a plugin never adds
fields to a kernel section or another plugin's."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from clipora_core.contracts import Product


class Section(BaseModel):
    """Base for config sections: unknown keys are errors, assignment is validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _csv(v: object) -> object:
    if isinstance(v, str):
        return [p.strip() for p in v.split(",") if p.strip()]
    return v


class PathsSettings(Section):
    workdir: Path = Field(
        Path("workdir"),
        description="Where job workspaces (<workdir>/<job-id>/) and caches are stored",
    )


class LoggingSettings(Section):
    level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Terminal log level; the job log always records everything"
    )

    @field_validator("level", mode="before")
    @classmethod
    def _lower(cls, v: object) -> object:
        return v.lower() if isinstance(v, str) else v


class MediaSettings(Section):
    ffmpeg_path: Path | None = Field(
        None,
        description="ffmpeg binary every plugin runs (default: the one from the imageio-ffmpeg wheel)",
    )


class InspectSettings(Section):
    prober: str = Field("", description="Media prober used by the inspect stage")
    remux_containers: list[str] = Field(
        default_factory=lambda: ["flv", "mpegts", "ts", "m2ts", "mts"],
        description="Containers remuxed once (stream copy) to a seekable MP4 before analysis",
    )

    _split = field_validator("remux_containers", mode="before")(_csv)


class CleaningSettings(Section):
    enabled: bool = Field(False, description="Remove unwanted spans (e.g. frozen video) first")
    cleaners: list[str] = Field(default_factory=list, description="Cleaners to run, in order")

    _split = field_validator("cleaners", mode="before")(_csv)


class ASRSettings(Section):
    mode: str = Field("", description="Speech-to-text backend (`clipora plugins list` shows them)")
    language: str = Field(
        "auto", description="Spoken language: auto, zh, en, ... (auto detects it)"
    )
    hotwords: list[str] = Field(
        default_factory=list,
        description="Product names and terms that improve recognition (comma-separated in env)",
    )
    cache: bool = Field(True, description="Reuse a transcript of the same audio and settings")
    span_seconds: float = Field(
        1200,
        ge=0,
        description="With an executor that runs on several machines (batch --executor ray), "
        "a longer recording is transcribed in spans of about this many seconds at once "
        "(0: in one piece)",
    )
    product_hotwords: bool = Field(
        True, description="Give product-list names to the ASR backend as hotwords"
    )

    _split = field_validator("hotwords", mode="before")(_csv)


class PosePresenceSettings(Section):
    enabled: bool = Field(False, description="Keep clips out of spans where the host is absent")
    detector: str = Field("", description="Presence detector to use")
    sample_interval_seconds: float = Field(1.0, gt=0, description="Seconds between samples")
    min_presence_ratio: float = Field(
        0.9, ge=0, le=1, description="Share of samples in a window that must show the host"
    )
    max_absent_gap_seconds: float = Field(
        3.0, gt=0, description="Longest absence tolerated inside a window"
    )


class AnalysisSettings(Section):
    video_type: str = Field("", description="Video type analyzer to use")
    semantic_min_duration_seconds: float = Field(
        10.0,
        gt=0,
        # A flash sale or a quick pitch of 15-20 s is still a clip sellers post.
        description="Items shorter than this (summed windows) are dropped and listed",
    )
    products: list[str | Product] = Field(
        default_factory=list,
        description="The seller's product list inline: 'name', 'name | alias | alias' or "
        "{name, aliases, price, start_seconds, end_seconds} (see README, Product list)",
    )
    products_file: Path | None = Field(
        None,
        description="Product list file (.txt, .csv, .yaml, .json); wins over analysis.products, "
        "and --products wins over both",
    )
    pose_presence: PosePresenceSettings = Field(default_factory=PosePresenceSettings)

    _split = field_validator("products", mode="before")(_csv)


class ConcurrencySettings(Section):
    analyze: int = Field(1, gt=0, description="Parallel items during analyze")
    render: int = Field(2, gt=0, description="Parallel clip renders (ffmpeg processes)")


class BatchSettings(Section):
    executor: str = Field(
        "", description="Where `clipora batch` runs its recordings (an executor's name: local, ray)"
    )
    recordings: int = Field(
        0,
        ge=0,
        description="Recordings worked on at once on one machine (0: one per 2 CPUs the executor has)",
    )
    cpus_per_recording: float = Field(
        2.0, gt=0, description="CPUs one recording's unit asks the executor for"
    )
    memory_mb_per_recording: int = Field(
        1536, gt=0, description="Memory (MB) one recording's unit asks the executor for"
    )
    retries: int = Field(
        2,
        ge=0,
        le=10,
        description="Times a unit whose worker died (killed, out of memory) is run again before it counts as failed",
    )
    thumbnails: bool = Field(True, description="A thumbnail per clip for the batch report")


class SubjectFramingSettings(Section):
    """How a crop follows the subjects when the renderer frames them (``fit: subject``)."""

    sample_seconds: float = Field(
        0.5, gt=0, le=5, description="Seconds between the frames looked at for the subjects"
    )
    max_speed: float = Field(
        0.25,
        gt=0,
        le=5,
        description="Fastest the crop may move, in source widths (or heights) per second",
    )
    margin: float = Field(
        0.05, ge=0, le=0.3, description="Room kept around the subjects, as a share of the crop"
    )
    smoothing_seconds: float = Field(
        1.0, ge=0, le=10, description="Seconds over which the crop's moves are eased"
    )
    min_fit: float = Field(
        0.7,
        ge=0,
        le=1,
        description=(
            "Share of a window's frames in which the subjects must fit the crop; below it the "
            "window shows the whole frame over a blurred copy"
        ),
    )
    hands: bool = Field(
        True,
        description="Keep what the host holds toward the camera in frame too, not only the host",
    )


class CoverSettings(Section):
    """A cover image per clip (``<clip>-cover.jpg`` beside it): its sharpest frame."""

    enabled: bool = Field(True, description="Write a cover image beside each clip")
    overlay_title: bool = Field(
        False, description="Write the clip's title (the product name) on the cover"
    )
    title_position: Literal["top", "bottom"] = Field(
        "bottom", description="Where the title goes on the cover: top or bottom"
    )
    candidates: int = Field(
        6, ge=1, le=30, description="Frames compared for sharpness; the sharpest is the cover"
    )
    prefer_host: bool = Field(
        True,
        description="With pose_presence on, only frames where the host is on screen are candidates",
    )


class ReviewSettings(Section):
    enabled: bool = Field(
        False,
        description="Stop after analyze so the clips can be reviewed and edited; "
        "`clipora render <job>` (or the web UI's review page) renders them afterwards",
    )


class RenderSettings(Section):
    renderer: str = Field("", description="Clip renderer")
    playback_speed: float = Field(1.0, gt=0, le=4, description="Playback speed of clips")
    cover: CoverSettings = Field(default_factory=CoverSettings)
    subject: SubjectFramingSettings = Field(default_factory=SubjectFramingSettings)


class RenderSubtitlesSettings(Section):
    mode: Literal["disabled", "sidecar_only", "both", "burned_only"] = Field(
        "sidecar_only",
        description="disabled | sidecar_only | both (sidecars + a -subtitled.mp4) | burned_only",
    )
    formats: list[str] = Field(
        default_factory=list, description="Sidecar subtitle formats (subtitle writers' names)"
    )
    position_preset: Literal["bottom", "top", "short_video_safe"] = Field(
        "bottom", description="Burn-in position: bottom, top, short_video_safe"
    )
    font_theme: Literal["default", "short_video_bold", "minimal"] = Field(
        "default", description="Burn-in font theme: default, short_video_bold, minimal"
    )
    font_family: str | None = Field(
        None, description="Font family for burn-in (default: the bundled Noto Sans SC)"
    )
    fonts_dir: Path | None = Field(None, description="Folder with extra fonts for burn-in")
    font_scale_multiplier: float = Field(1.0, gt=0, description="Scale subtitle size")

    @field_validator("formats", mode="before")
    @classmethod
    def _formats(cls, v: object) -> object:
        v = _csv(v)
        if isinstance(v, list):
            return [str(x).lower() for x in v]
        return v


CORE_SECTIONS: dict[str, type[BaseModel]] = {
    "paths": PathsSettings,
    "logging": LoggingSettings,
    "media": MediaSettings,
    "inspect": InspectSettings,
    "cleaning": CleaningSettings,
    "asr": ASRSettings,
    "analysis": AnalysisSettings,
    "concurrency": ConcurrencySettings,
    "batch": BatchSettings,
    "review": ReviewSettings,
    "render": RenderSettings,
    "render_subtitles": RenderSubtitlesSettings,
}


def core_section_paths() -> frozenset[str]:
    """Every kernel section path, nested ones included (``analysis.pose_presence``)."""
    out: set[str] = set()

    def walk(path: str, model: type[BaseModel]) -> None:
        out.add(path)
        for name, info in model.model_fields.items():
            sub = info.annotation
            if isinstance(sub, type) and issubclass(sub, Section):
                walk(f"{path}.{name}", sub)

    for path, model in CORE_SECTIONS.items():
        walk(path, model)
    return frozenset(out)
