"""Plugin entry point: the srt, vtt and ass subtitle writers. Imports nothing heavy."""

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

_LAYOUT_KEYS = ["render_subtitles.layout", "render.playback_speed"]
# Options the writers read from the kernel's ``render_subtitles`` before they had their own.
_MOVED = ("max_line_chars_cjk", "max_line_chars_latin", "cue_gap_fill_seconds")
_STYLE_KEYS = [
    "render_subtitles.position_preset",
    "render_subtitles.font_theme",
    "render_subtitles.font_family",
    "render_subtitles.font_scale_multiplier",
]


@hookimpl
def register_subtitle_writers(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.SUBTITLE_WRITER,
            name="srt",
            description="SubRip sidecar (.srt), cues on the clip timeline",
            factory="clipora_subtitles.writers:SrtWriter",
            formats=["srt"],
            config_keys=_LAYOUT_KEYS,
            options="render_subtitles.layout",
        )
    )
    register(
        Capability(
            kind=Kind.SUBTITLE_WRITER,
            name="vtt",
            description="WebVTT sidecar (.vtt), cues on the clip timeline",
            factory="clipora_subtitles.writers:VttWriter",
            formats=["vtt"],
            config_keys=_LAYOUT_KEYS,
            options="render_subtitles.layout",
        )
    )
    register(
        Capability(
            kind=Kind.SUBTITLE_WRITER,
            name="ass",
            description="ASS with position preset and font theme scaled to the output; feeds burn-in",
            factory="clipora_subtitles.writers:AssWriter",
            formats=["ass"],
            config_keys=_LAYOUT_KEYS + _STYLE_KEYS,
            options="render_subtitles.layout",
            features={
                "burn_in": True,
                "bundled_font_family": "Noto Sans SC",
                "bundled_fonts_dir": "clipora_subtitles.fonts:bundled_fonts_dir",
            },
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    # Lazy reference: the settings model is imported only when config is loaded.
    register(
        ConfigSection(
            path="render_subtitles.layout",
            model="clipora_subtitles.settings:SubtitleLayoutSettings",
            moved={f"render_subtitles.{k}": f"render_subtitles.layout.{k}" for k in _MOVED},
        )
    )


@hookimpl
def register_defaults(register: DefaultRegistrar) -> None:
    register(ConfigDefault(path="render_subtitles.formats", value=["srt", "vtt"]))
