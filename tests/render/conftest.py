"""Session fixtures: synthetic sources made once, and a renderer built from real settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clipora_core.capabilities import ConfigSection, RenderRequest
from clipora_core.config import build_settings_model
from clipora_core.contracts import TimeWindow
from clipora_core.progress import StageProgress
from clipora_render_ffmpeg.prober import PyAVProber
from clipora_render_ffmpeg.renderer import FFmpegRenderer
from clipora_render_ffmpeg.settings import RenderProfileSettings
from render_media import ffmpeg, make_main, remux


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("render-media")
    main = make_main(d / "main.mp4")
    out = {"main": main}
    for ext in ("mov", "mkv", "flv", "ts"):
        out[ext] = remux(main, d / f"main.{ext}")
    out["noaudio"] = d / "noaudio.mp4"
    ffmpeg("-i", str(main), "-an", "-c", "copy", str(out["noaudio"]))
    out["rotated"] = remux(main, d / "rotated.mp4", "-display_rotation", "90")
    out["vfr"] = d / "vfr.mp4"
    ffmpeg("-i", str(main), "-vf", "select='lt(mod(n\\,7)\\,4)+eq(mod(n\\,13)\\,0)'",
           "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "copy",
           str(out["vfr"]))
    out["odd"] = d / "odd.mp4"
    ffmpeg("-i", str(main), "-t", "8", "-vf", "scale=321:241,format=yuv444p", "-c:v", "libx264",
           "-preset", "ultrafast", "-c:a", "copy", str(out["odd"]))
    out["mpeg4"] = d / "mpeg4.mp4"
    ffmpeg("-i", str(main), "-t", "10", "-c:v", "mpeg4", "-q:v", "3", "-c:a", "copy",
           str(out["mpeg4"]))
    out["audio_only"] = d / "audio.m4a"
    ffmpeg("-i", str(main), "-vn", "-c:a", "copy", str(out["audio_only"]))
    odd_name = d / "直播 录像 (1).mp4"
    odd_name.write_bytes(main.read_bytes())
    out["unicode"] = odd_name
    return out


def make_settings(**render: Any) -> Any:
    model = build_settings_model([ConfigSection(path="render", model=RenderProfileSettings)])
    return model.model_validate({"render": render})


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
    **render: Any,
) -> Any:
    settings = make_settings(**render)
    probe = PyAVProber(settings).probe(source)
    request = RenderRequest(
        source_path=source,
        probe=probe,
        windows=[TimeWindow(start_seconds=a, end_seconds=b) for a, b in windows],
        out_path=out,
        settings=settings,
        progress=progress or StageProgress(None, "render"),
        clip_id=out.stem,
        burn_subtitles=burn,
        fonts_dir=fonts_dir,
    )
    return FFmpegRenderer(settings).render(request)
