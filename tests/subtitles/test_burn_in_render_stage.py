"""Burned Chinese subtitles through the render stage, as a user gets them, on a machine with no
system fonts: ``clipora render <job> --plan`` with ``render_subtitles.mode=burned_only`` and
fontconfig pointed at an empty config. The control is the same render with the bundled font cut
down to ASCII (``render_subtitles.fonts_dir``): missing glyphs draw the same box for any line.
Also: with ``render.ffmpeg.aspect`` the subtitles are laid out for the output frame, not the source's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import av
import imageio_ffmpeg
import numpy as np
import pytest
from subtitle_helpers import write_latin_only_font

pytestmark = pytest.mark.slow

W, H = 320, 240
LINE_A = "这款面霜非常滋润"
LINE_B = "原价一百九十九元"
CUES = [(0.3, 2.7, LINE_A), (3.3, 5.7, LINE_B)]


def _srt(t: float) -> str:
    ms = round(t * 1000)
    return f"00:00:{ms // 1000:02d},{ms % 1000:03d}"


@pytest.fixture(scope="module")
def make_home(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A fresh job for each render setup: a job remembers the --set values it was run with."""

    def make(font_scale: float) -> Path:
        return _home(tmp_path_factory.mktemp("burn-stage"), font_scale)

    return make


def _home(d: Path, font_scale: float) -> Path:
    video = d / "直播 1.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"color=black:s={W}x{H}:r=25:d=6",
            "-f", "lavfi", "-i", "sine=f=440:r=44100:d=6",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
            "-c:a", "aac", "-shortest", str(video),
        ],
        check=True,
    )  # fmt: skip
    cues = [f"{i}\n{_srt(a)} --> {_srt(b)}\n{t}\n" for i, (a, b, t) in enumerate(CUES, 1)]
    video.with_suffix(".srt").write_text("\n".join(cues), encoding="utf-8")
    conf = d / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{d / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    write_latin_only_font(d / "latin-fonts")
    (d / "clipora.yaml").write_text(
        f"paths:\n  workdir: {json.dumps(str(d / 'workdir'))}\nasr:\n  mode: import\n"
        f"render_subtitles:\n  mode: burned_only\n  font_scale_multiplier: {font_scale}\n",
        encoding="utf-8",
    )
    proc = clipora(d, "inspect", video)
    assert proc.returncode == 0, proc.stderr[-2000:]
    proc = clipora(d, "semantic-discover", proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 0, proc.stderr[-2000:]
    return d


def clipora(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("clipora")
    argv = [str(script)] if script.is_file() else [sys.executable, "-m", "clipora_core.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIPORA_")}
    env["FONTCONFIG_FILE"] = str(home / "fonts.conf")  # no system fonts at all
    return subprocess.run(
        [*argv, *(str(a) for a in args), "--config", str(home / "clipora.yaml")],
        capture_output=True, text=True, env=env, cwd=home, timeout=180,
    )  # fmt: skip


def _job(home: Path) -> Path:
    (job,) = [p for p in (home / "workdir").iterdir() if (p / "manifest.json").is_file()]
    return job


def _render(home: Path, name: str, *sets: str, **segment: object) -> Path:
    job = _job(home)
    manifest = json.loads((job / "manifest.json").read_text(encoding="utf-8"))
    windows = [{"start_seconds": 0.0, "end_seconds": 6.0}]
    plan = {
        "plan_id": name,
        "source_path": manifest["effective_source_path"],
        "segments": [{"id": name, "windows": windows, **segment}],
    }
    plan_path = home / f"{name}.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    args: list[str | Path] = ["render", job, "--plan", plan_path]
    for s in sets:
        args += ["--set", s]
    proc = clipora(home, *args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads((job / "renders" / "execution_result.json").read_text(encoding="utf-8"))
    (art,) = result["artifacts"]
    assert art["success"] and art["subtitle_paths"] == {}  # burned only: no sidecar
    return Path(art["output_path"])


def _frames(path: Path, times: list[float]) -> tuple[list[np.ndarray], tuple[int, int]]:
    out = []
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        size = (stream.codec_context.width, stream.codec_context.height)
        pending = sorted(times)
        for frame in c.decode(stream):
            if pending and frame.time is not None and frame.time >= pending[0]:
                out.append(frame.to_ndarray(format="gray").astype(np.int16))
                pending.pop(0)
    return out, size


def _band(img: np.ndarray) -> np.ndarray:
    return img[int(img.shape[0] * 0.55) :, :]


def test_burned_chinese_through_the_render_stage_without_system_fonts(make_home) -> None:
    home = make_home(3.0)  # big glyphs: ~35 px lines on a 240 px frame
    (real_a, real_b), size = _frames(_render(home, "real"), [1.5, 4.5])
    assert size == (W, H)
    control = make_home(3.0)
    latin = str(control / "latin-fonts")
    (tofu_a, tofu_b), _ = _frames(
        _render(control, "tofu", f"render_subtitles.fonts_dir={latin}"), [1.5, 4.5]
    )
    # Ink where the line sits, none above it.
    assert int((_band(real_a) > 128).sum()) > 500
    assert int((real_a[: int(H * 0.4)] > 48).sum()) == 0
    # Different lines look different with the bundled font; missing glyphs all look alike.
    real_diff = float(np.abs(_band(real_a) - _band(real_b)).mean())
    tofu_diff = float(np.abs(_band(tofu_a) - _band(tofu_b)).mean())
    assert real_diff > 5 * max(tofu_diff, 0.1)
    assert float(np.abs(_band(real_a) - _band(tofu_a)).mean()) > 3.0


def test_subtitles_are_laid_out_for_the_output_aspect(make_home) -> None:
    home = make_home(1.0)  # the default size
    (frame,), size = _frames(
        _render(home, "tall", "render.ffmpeg.aspect=9:16", "render.ffmpeg.fit=pad"), [1.5]
    )
    out_w, out_h = size
    assert out_h > out_w  # a 9:16 frame from a 4:3 source
    rows = np.nonzero((frame > 128).sum(axis=1))[0]
    cols = np.nonzero((frame > 128).sum(axis=0))[0]
    assert rows.size and cols.size
    # The line sits in the lower part of the tall frame, centred and inside its width, at the
    # font size of a frame made that size: not at the source's 320x240 scale stretched onto it.
    from clipora_subtitles.style import resolve_style

    assert rows.min() > out_h * 0.5
    assert cols.min() > 0 and cols.max() < out_w - 1  # whole: not cut off at either side
    assert abs((cols.min() + cols.max()) / 2 - out_w / 2) < out_w * 0.05
    font = resolve_style(out_w, out_h).font_size
    assert font < resolve_style(320, 240).font_size * out_h / 240  # the stretched size
    inked = np.nonzero((frame > 60).sum(axis=1))[0]  # anti-aliased edges count at this size
    assert 0.5 * font <= inked.max() - inked.min() + 1 <= 1.2 * font
    assert (cols.max() - cols.min()) > 4 * font  # eight characters on one line


def _rgb_frames(path: Path, times: list[float]) -> list[np.ndarray]:
    out = []
    with av.open(str(path)) as c:
        pending = sorted(times)
        for frame in c.decode(c.streams.video[0]):
            if pending and frame.time is not None and frame.time >= pending[0]:
                out.append(frame.to_ndarray(format="rgb24").astype(np.int16))
                pending.pop(0)
    return out


def _lit(img: np.ndarray) -> np.ndarray:
    """Columns of the subtitle band holding highlight-yellow pixels."""
    band = _band(img)
    r, g, b = band[..., 0], band[..., 1], band[..., 2]
    return np.nonzero(((r > 170) & (g > 150) & (b < 110)).any(axis=0))[0]


def test_word_highlight_runs_along_the_line_as_it_is_spoken(make_home) -> None:
    home = make_home(2.0)
    clip = _render(home, "karaoke", "render_subtitles.layout.word_highlight=true")
    early, late, after = _rgb_frames(clip, [0.75, 2.4, 4.0])
    # LINE_A is spoken 0.3-2.7 s: early one or two characters are lit, late nearly all of them,
    # and the lit part grows from the left.
    lit_early, lit_late = _lit(early), _lit(late)
    assert 0 < len(lit_early) < len(lit_late), (len(lit_early), len(lit_late))
    assert lit_late.max() > lit_early.max() + 40
    assert abs(int(lit_late.min()) - int(lit_early.min())) <= 6  # same line, same left edge
    # The next line starts unlit (white) at 4.0 s only after its first characters are spoken:
    # at 4.0 s LINE_B (3.3-5.7 s) has a few characters lit, not the whole line.
    assert 0 < len(_lit(after)) < len(lit_late) + 40


def test_a_banner_shows_the_product_name_and_price_from_the_plan(make_home) -> None:
    home = make_home(3.0)  # a 180x320 frame: big enough letters to count
    sets = ("render_subtitles.layout.banner=true", "render.ffmpeg.aspect=9:16")
    clip = _render(home, "banner", *sets, title="保温杯", price=129)
    (frame,) = _rgb_frames(clip, [1.5])
    h, w = frame.shape[:2]
    r, g, b = frame[..., 0], frame[..., 1], frame[..., 2]
    red = (r > 170) & (g < 110) & (b < 110)
    rows = np.nonzero(red.any(axis=1))[0]
    assert rows.size and rows.max() < h * 0.3, "the banner's box sits at the top"
    box = frame[rows.min() : rows.max() + 1]
    white = (box > 170).all(axis=2)
    cols = np.nonzero(white.any(axis=0))[0]
    assert white.sum() > 100 and cols.max() - cols.min() > w * 0.3  # name and price written
    # The same clip without a price: a shorter line in the banner.
    plain = _render(home, "banner2", *sets, title="保温杯")
    (frame2,) = _rgb_frames(plain, [1.5])
    white2 = (frame2[rows.min() : rows.max() + 1] > 170).all(axis=2)
    cols2 = np.nonzero(white2.any(axis=0))[0]
    assert 0 < cols2.max() - cols2.min() < cols.max() - cols.min()
