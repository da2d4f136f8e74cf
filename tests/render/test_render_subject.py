"""``render.ffmpeg.fit: subject``: a 9:16 clip out of a 16:9 recording whose subject moves
across the frame, through the real command (the real presence plugin finds the subject, the
real ffmpeg crops). What a viewer sees: the subject whole, inside the frame, in every sampled
frame of both windows; the crop never faster than ``render.subject.max_speed``. And a window
whose subjects cannot fit shows the whole frame over a blurred copy of itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from clipora_core.api import WindowFraming
from render_media import ffmpeg
from render_support import render_clip

pytestmark = pytest.mark.slow

SRC_W, SRC_H, SIDE = 640, 360, (70, 130)  # recording and subject sizes
SPEED = 40  # subject speed, px/s: left edge at 40 + 40 t


@pytest.fixture(scope="module")
def moving(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An orange card crossing a grey, noisy picture (what stands out: no person to find)."""
    path = tmp_path_factory.mktemp("subject") / "moving.mp4"
    w, h = SIDE
    ffmpeg(
        "-f", "lavfi", "-i", f"color=c=0x506070:s={SRC_W}x{SRC_H}:r=25:d=12,noise=alls=12:allf=t",
        "-f", "lavfi", "-i", f"color=c=0xff8020:s={w}x{h}:r=25:d=12",
        "-f", "lavfi", "-i", "sine=f=300:d=12",
        "-filter_complex", f"[0][1]overlay=x='40+{SPEED}*t':y=115:shortest=1[v]",
        "-map", "[v]", "-map", "2:a", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip
    return path


def clipora(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("clipora")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIPORA_")}
    env["HOME"] = str(home)
    proc = subprocess.run(
        [str(script), *(str(a) for a in args)],
        capture_output=True, text=True, env=env, cwd=home, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def orange(rgb: Any) -> Any:
    a = rgb.astype(int)
    return (a[:, :, 0] > 200) & (a[:, :, 1] > 90) & (a[:, :, 1] < 170) & (a[:, :, 2] < 90)


def test_the_subject_stays_whole_in_a_vertical_clip(moving: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    config = home / "clipora.yaml"
    config.write_text(
        f"paths:\n  workdir: {json.dumps(str(home / 'wd'))}\n"
        "render_subtitles:\n  mode: disabled\n"
        "render:\n  ffmpeg:\n    aspect: '9:16'\n    fit: subject\n",
        encoding="utf-8",
    )
    job = Path(clipora(home, "inspect", moving, "--config", config).stdout.split()[-1])
    plan = tmp_path / "plan.json"
    windows = [(0.5, 5.0), (7.0, 11.5)]  # the subject jumps 80 px at the cut
    plan.write_text(
        json.dumps(
            {
                "plan_id": "subject",
                "source_path": str(moving),
                "segments": [
                    {
                        "id": "card",
                        "windows": [{"start_seconds": a, "end_seconds": b} for a, b in windows],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    clipora(home, "render", job, "--plan", plan, "--config", config)
    (art,) = json.loads((job / "renders" / "execution_result.json").read_text())["artifacts"]
    assert art["success"], art["error_detail"]
    framing = art["metadata"]["framing"]
    assert framing["located"] and framing["crop"] == [202, 360]
    assert [w["mode"] for w in framing["windows"]] == ["crop", "crop"]
    for w in framing["windows"]:
        keys = w["keys"]
        assert keys[0][0] == 0.0 and w["fitting"] == w["samples"] > 0
        for a, b in zip(keys, keys[1:], strict=False):
            assert abs(b[1] - a[1]) <= 0.25 * SRC_W * (b[0] - a[0]) + 0.2  # px/s limit
    # Every tenth frame: the card whole (its area at the 640/360 scale) and off the edges.
    scale = 640 / 360
    full = SIDE[0] * SIDE[1] * scale * scale
    seen = 0
    with av.open(art["output_path"]) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i % 10:
                continue
            rgb = frame.to_ndarray(format="rgb24")
            assert rgb.shape == (640, 360, 3)
            mask = orange(rgb)
            ys, xs = np.nonzero(mask)
            assert mask.sum() > 0.9 * full, (frame.time, mask.sum(), full)
            assert xs.min() > 2 and xs.max() < 357, (frame.time, xs.min(), xs.max())
            seen += 1
    assert seen >= 20


def test_a_person_crossing_the_frame_stays_in_the_vertical_clip(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A real photograph of a person (scikit-image's public-domain astronaut portrait) slides
    across a 16:9 picture: the pose model finds her in the clip's frames, whole and inside."""
    from clipora_presence_mediapipe.detector import MediaPipePresenceDetector
    from clipora_presence_mediapipe.subjects import pose_boxes
    from skimage import data, io

    d = tmp_path_factory.mktemp("person")
    photo = d / "astronaut.png"
    io.imsave(photo, data.astronaut())
    video = d / "person.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=0x203040:s=1280x720:r=25:d=10",
        "-loop", "1", "-framerate", "25", "-i", str(photo),
        "-f", "lavfi", "-i", "sine=f=300:d=10",
        "-filter_complex", "[1]scale=420:420[p];[0][p]overlay=x='80+70*t':y=150:shortest=1[v]",
        "-map", "[v]", "-map", "2:a", "-t", "10", "-c:v", "libx264", "-preset", "ultrafast",
        "-pix_fmt", "yuv420p", "-c:a", "aac", str(video),
    )  # fmt: skip
    home = tmp_path / "home"
    home.mkdir()
    config = home / "clipora.yaml"
    config.write_text(
        f"paths:\n  workdir: {json.dumps(str(home / 'wd'))}\n"
        "render_subtitles:\n  mode: disabled\n"
        "render:\n  ffmpeg:\n    aspect: '9:16'\n    fit: subject\n",
        encoding="utf-8",
    )
    job = Path(clipora(home, "inspect", video, "--config", config).stdout.split()[-1])
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "plan_id": "person",
                "source_path": str(video),
                "segments": [
                    {"id": "host", "windows": [{"start_seconds": 0.5, "end_seconds": 9.5}]}
                ],
            }
        ),
        encoding="utf-8",
    )
    clipora(home, "render", job, "--plan", plan, "--config", config)
    (art,) = json.loads((job / "renders" / "execution_result.json").read_text())["artifacts"]
    (window,) = art["metadata"]["framing"]["windows"]
    assert window["mode"] == "crop" and window["fitting"] == window["samples"] > 10
    found = 0
    with MediaPipePresenceDetector() as detector, av.open(art["output_path"]) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i % 25:
                continue
            rgb = frame.to_ndarray(format="rgb24")
            (person,) = [b for b in pose_boxes(detector.detect_rgb(rgb), detector.cfg)
                         if b.kind == "person"]  # fmt: skip
            assert person.left > 0.01 and person.right < 0.99, (frame.time, person)
            found += 1
    assert found >= 8


def test_a_window_that_cannot_fit_is_shown_whole_over_a_blur(moving: Path, tmp_path: Path) -> None:
    # Without a plan for its windows the renderer holds the crop in the middle.
    out = render_clip(moving, [(1.0, 3.0)], tmp_path / "fill.mp4", aspect="9:16", fit="subject")
    assert out.metadata["width"] == 360 and out.metadata["height"] == 640
    fill = _render_with(moving, tmp_path / "fill2.mp4", WindowFraming("fill", []))
    with av.open(str(fill)) as c:
        rgb = next(iter(c.decode(video=0))).to_ndarray(format="rgb24")
    assert rgb.shape == (640, 360, 3)
    # The whole frame in the middle band (the card at its place at 360/640 scale)...
    band = rgb[220:420]
    ys, xs = np.nonzero(orange(band))
    assert len(xs) > 0.8 * SIDE[0] * SIDE[1] * (360 / 640) ** 2
    # ... and above it no black bar, the blurred copy's grey-blue.
    top = rgb[:150].reshape(-1, 3).mean(axis=0)
    assert top[2] > 60 and abs(top[2] - 0x70) < 40, top


def _render_with(source: Path, out: Path, framing: WindowFraming) -> Path:
    from clipora_core.api import Media, PluginRuntime, RenderRequest, StageProgress, TimeWindow
    from clipora_render_ffmpeg.prober import PyAVProber
    from clipora_render_ffmpeg.renderer import FFmpegRenderer
    from render_support import make_settings

    runtime = PluginRuntime(media=Media(None))
    request = RenderRequest(
        source_path=source,
        probe=PyAVProber(None, runtime).probe(source),
        windows=[TimeWindow(start_seconds=1.0, end_seconds=3.0)],
        out_path=out,
        progress=StageProgress(None, "render"),
        framing=[framing],
    )
    settings = make_settings(aspect="9:16", fit="subject")
    return FFmpegRenderer(settings, runtime).render(request).path
