"""Helpers shared by the tests in tests/render/ (a plain module: `from conftest import` breaks when
several test folders are collected together)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clipora_core.capabilities import RenderRequest
from clipora_core.contracts import TimeWindow
from clipora_core.media import Media
from clipora_core.progress import StageProgress
from clipora_core.runtime import PluginRuntime
from clipora_render_ffmpeg.prober import PyAVProber
from clipora_render_ffmpeg.renderer import FFmpegRenderer
from clipora_render_ffmpeg.settings import RenderProfileSettings

# A box in the bottom band of a 320x240 frame: a vector drawing, so no font is needed.
BOX = "{\\an1\\pos(10,230)\\p1}m 0 0 l 300 0 300 30 0 30{\\p0}"


def write_ass(path: Path, events: list[tuple[str, str, str]], outline: float = 2) -> Path:
    """An .ass for a 320x240 clip with one Dialogue line, on its own layer, per
    (start, end, text) event."""
    dialogue = "".join(
        f"Dialogue: {layer},{start},{end},Default,,0,0,0,,{text}\n"
        for layer, (start, end, text) in enumerate(events)
    )
    path.write_text(
        "[Script Info]\nScriptType: v4.00+\nPlayResX: 320\nPlayResY: 240\n\n"
        "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, "
        "OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, "
        "Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, "
        "Encoding\nStyle: Default,DejaVu Sans,24,&H0000FFFF,&H000000FF,&H00000000,&H00000000,"
        f"0,0,0,0,100,100,0,0,1,{outline:g},0,2,10,10,10,1\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        + dialogue,
        encoding="utf-8",
    )
    return path


def make_settings(**profile: Any) -> RenderProfileSettings:
    """The renderer's own options (the ``render.ffmpeg`` section)."""
    return RenderProfileSettings.model_validate(profile)


class RecordingProgress(StageProgress):
    """A real StageProgress that also keeps what was reported."""

    def __init__(self) -> None:
        super().__init__(None, "render")
        self.values: list[float] = []

    def update(self, done: float, total: float | None = None, message: str = "") -> None:
        self.values.append(done / total if total else done)
        super().update(done, total, message)


def render_clip(
    source: Path,
    windows: list[tuple[float, float]],
    out: Path,
    burn: Path | None = None,
    fonts_dir: Path | None = None,
    progress: StageProgress | None = None,
    playback_speed: float = 1.0,
    ffmpeg_path: str | None = None,
    plain: Path | None = None,
    **profile: Any,
) -> Any:
    runtime = PluginRuntime(media=Media(ffmpeg_path))
    probe = PyAVProber(None, runtime).probe(source)
    request = RenderRequest(
        source_path=source,
        probe=probe,
        windows=[TimeWindow(start_seconds=a, end_seconds=b) for a, b in windows],
        out_path=out,
        progress=progress or StageProgress(None, "render"),
        clip_id=out.stem,
        burn_subtitles=burn,
        fonts_dir=fonts_dir,
        playback_speed=playback_speed,
        plain_out_path=plain,
    )
    return FFmpegRenderer(make_settings(**profile), runtime).render(request)
