"""Session fixtures: synthetic sources made once, and a renderer built from real settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_media import ffmpeg, make_main, remux
from render_support import RecordingProgress, make_settings, render_clip  # noqa: F401 - fixtures below use them


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
    ffmpeg(
        "-i",
        str(main),
        "-vf",
        "select='lt(mod(n\\,7)\\,4)+eq(mod(n\\,13)\\,0)'",
        "-fps_mode",
        "vfr",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "copy",
        str(out["vfr"]),
    )
    out["odd"] = d / "odd.mp4"
    ffmpeg(
        "-i",
        str(main),
        "-t",
        "8",
        "-vf",
        "scale=321:241,format=yuv444p",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "copy",
        str(out["odd"]),
    )
    out["mpeg4"] = d / "mpeg4.mp4"
    ffmpeg(
        "-i", str(main), "-t", "10", "-c:v", "mpeg4", "-q:v", "3", "-c:a", "copy", str(out["mpeg4"])
    )
    out["audio_only"] = d / "audio.m4a"
    ffmpeg("-i", str(main), "-vn", "-c:a", "copy", str(out["audio_only"]))
    odd_name = d / "直播 录像 (1).mp4"
    odd_name.write_bytes(main.read_bytes())
    out["unicode"] = odd_name
    return out
