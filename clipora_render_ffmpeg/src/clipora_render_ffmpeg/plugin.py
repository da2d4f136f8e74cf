"""Plugin entry point: registers the PyAV prober, the ffmpeg renderer and the render profile.

Imports nothing heavy: factories are loaded only when a stage uses them."""

from __future__ import annotations

from clipora_core.api import (
    Capability,
    CapabilityRegistrar,
    ConfigDefault,
    ConfigSection,
    DefaultRegistrar,
    Kind,
    SectionRegistrar,
    hookimpl,
)

# Options this plugin read from the kernel's ``render`` section before it had its own.
_PROFILE_KEYS = (
    "preset",
    "crf",
    "aspect",
    "fit",
    "width",
    "height",
    "frame_rate",
    "audio_bitrate",
    "threads",
    "smart_cut",
)


@hookimpl
def register_probers(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.PROBER,
            name="pyav",
            description="Probe media with PyAV (no ffprobe); remux FLV/MPEG-TS to MP4 once",
            factory="clipora_render_ffmpeg.prober:PyAVProber",
            formats=["mp4", "mov", "mkv", "webm", "flv", "ts", "m2ts", "mts", "avi"],
            config_keys=["inspect.remux_containers"],
            options="inspect",
        )
    )


@hookimpl
def register_renderers(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.RENDERER,
            name="ffmpeg",
            description="Frame-accurate clips with ffmpeg: per-window seek, smart cut, burn-in",
            factory="clipora_render_ffmpeg.renderer:FFmpegRenderer",
            formats=["mp4"],
            config_keys=["render.ffmpeg"],
            options="render.ffmpeg",
            features={
                "smart_cut": True,
                "burn_in": True,
                "burn_in_format": "ass",  # libass draws ASS subtitles
                "playback_speed": True,
            },
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    # Lazy reference: pydantic is imported only when config is loaded.
    register(
        ConfigSection(
            path="render.ffmpeg",
            model="clipora_render_ffmpeg.settings:RenderProfileSettings",
            moved={
                **{f"render.{k}": f"render.ffmpeg.{k}" for k in _PROFILE_KEYS},
                "render.ffmpeg_path": "media.ffmpeg_path",
            },
        )
    )


@hookimpl
def register_defaults(register: DefaultRegistrar) -> None:
    register(ConfigDefault(path="inspect.prober", value="pyav"))
    register(ConfigDefault(path="render.renderer", value="ffmpeg"))
