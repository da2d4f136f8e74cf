"""Chinese subtitles burned with the bundled font draw real glyphs on a machine without fonts.

libass draws a box (or nothing) for a character its font lacks. Two different Chinese lines
rendered with a font lacking CJK look the same; with the bundled font they differ, and the band
where the line sits carries ink. The control font is the bundled font cut down to ASCII with
fontTools, under the same family name, so the only difference is glyph coverage.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from clipora_core.contracts import Transcript
from clipora_subtitles.fonts import (
    BUNDLED_FONT_FAMILY,
    bundled_font_path,
    bundled_fonts_dir,
    font_family_name,
    missing_glyphs,
)
from clipora_subtitles.writers import AssWriter
from subtitle_helpers import seg, win, write_latin_only_font

W, H = 320, 240
LINE_A = "这款面霜非常滋润"
LINE_B = "原价一百九十九元"


def _filter_path(p: Path) -> str:
    # Quoting for a filter-graph option value.
    return str(p).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")


def _no_system_fonts_env(tmp: Path) -> dict[str, str]:
    # A fontconfig with no font folders: libass sees only fontsdir, as on a machine with no
    # fonts installed (CI may have installed CJK fonts for the browser tests).
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def _render(ass: Path, fonts_dir: Path) -> np.ndarray:
    import imageio_ffmpeg

    vf = f"subtitles=filename={_filter_path(ass)}:fontsdir={_filter_path(fonts_dir)}"
    out = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
            "-f", "lavfi", "-i", f"color=black:s={W}x{H}:r=25:d=1",
            "-vf", vf, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-",
        ],
        check=True,
        capture_output=True,
        env=_no_system_fonts_env(ass.parent),
    )  # fmt: skip
    return np.frombuffer(out.stdout, dtype=np.uint8).reshape(H, W).astype(np.int16)


@pytest.fixture(scope="module")
def latin_only_fonts(tmp_path_factory) -> Path:
    return write_latin_only_font(tmp_path_factory.mktemp("latin-fonts"))


@pytest.fixture(scope="module")
def ass_files(tmp_path_factory, make_request_module) -> dict[str, Path]:
    files = {}
    for key, text in (("a", LINE_A), ("b", LINE_B)):
        t = Transcript(segments=[seg(1, 0, 2, text)])
        req = make_request_module(t, [win(0, 2)], key)
        files[key] = AssWriter().write(req)
    return files


@pytest.fixture(scope="module")
def make_request_module(tmp_path_factory):
    from clipora_core.capabilities import SubtitleRequest, SubtitleStyle

    out = tmp_path_factory.mktemp("burn")

    def make(transcript, windows, name):
        return SubtitleRequest(
            transcript=transcript, windows=windows, playback_speed=1.0, width=W, height=H,
            out_path=out / f"{name}.mp4",
            style=SubtitleStyle(font_scale_multiplier=3.0),  # ~35 px lines on a 240 px frame
        )  # fmt: skip

    return make


def test_bundled_font_is_noto_sans_sc_under_ofl():
    path = bundled_font_path()
    assert path.is_file() and bundled_fonts_dir() == path.parent
    assert font_family_name(path) == BUNDLED_FONT_FAMILY
    from fontTools.ttLib import TTFont

    licence = TTFont(str(path), lazy=True)["name"].getDebugName(13)
    assert "SIL Open Font License" in licence


def test_font_covers_every_character_of_the_cues():
    assert missing_glyphs(LINE_A + LINE_B) == []
    assert missing_glyphs("第一款产品，今天只要129元！Hello") == []
    assert missing_glyphs("ok \U0001f600") == [
        "\U0001f600"
    ]  # what the check looks like when it fails


def _band(img: np.ndarray) -> np.ndarray:
    # Bottom preset: the line sits in the lower third of the frame.
    return img[int(H * 0.55) :, :]


def test_chinese_glyphs_are_drawn_with_the_bundled_font(ass_files, latin_only_fonts):
    real_a = _render(ass_files["a"], bundled_fonts_dir())
    real_b = _render(ass_files["b"], bundled_fonts_dir())
    tofu_a = _render(ass_files["a"], latin_only_fonts)
    tofu_b = _render(ass_files["b"], latin_only_fonts)

    # Ink in the subtitle band, nothing above it.
    ink_a = int((_band(real_a) > 128).sum())
    assert ink_a > 500
    assert int((real_a[: int(H * 0.4)] > 32).sum()) == 0

    # Different characters look different with real glyphs...
    real_diff = float(np.abs(_band(real_a) - _band(real_b)).mean())
    # ...while missing glyphs all draw the same box.
    tofu_diff = float(np.abs(_band(tofu_a) - _band(tofu_b)).mean())
    assert real_diff > 5 * max(tofu_diff, 0.1)
    # And the real rendering is clearly not the tofu rendering.
    assert float(np.abs(_band(real_a) - _band(tofu_a)).mean()) > 3.0
