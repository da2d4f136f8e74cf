"""The srt, vtt and ass capabilities: files written, parsed back, styled for the output."""

from __future__ import annotations

import pysubs2
import pytest
from clipora_core.config import build_settings_model
from clipora_core.contracts import Transcript
from subtitle_helpers import seg, win

from clipora_core import Kind

TRANSCRIPT = Transcript(
    segments=[
        seg(1, 10, 14, "第一款产品是面霜，非常滋润。"),
        seg(2, 30, 34, "今天只要一百二十九！"),
    ]
)
WINDOWS = [win(30, 34), win(10, 14)]  # play order: the price first


def _writer(host, name, **layout):
    settings = build_settings_model(host.config_sections())(render_subtitles={"layout": layout})
    return host.create(Kind.SUBTITLE_WRITER, name, settings)


def test_three_writers_registered_with_formats(host):
    caps = {c.name: c for c in host.capabilities(Kind.SUBTITLE_WRITER)}
    assert set(caps) == {"srt", "vtt", "ass"}
    assert {n: c.formats for n, c in caps.items()} == {
        "srt": ["srt"],
        "vtt": ["vtt"],
        "ass": ["ass"],
    }


def test_layout_options_live_in_their_own_section_below_render_subtitles(host):
    settings = build_settings_model(host.config_sections())()
    assert settings.render_subtitles.mode == "sidecar_only"  # core field
    assert settings.render_subtitles.layout.max_line_chars_cjk == 16
    assert settings.render_subtitles.layout.max_line_chars_latin == 42


@pytest.mark.parametrize("fmt", ["srt", "vtt", "ass"])
def test_each_format_parses_back_with_clip_times(host, make_request, fmt):
    path = _writer(host, fmt).write(make_request(TRANSCRIPT, WINDOWS, speed=1.25))
    assert path is not None and path.suffix == f".{fmt}" and path.stem == "clip-001"
    subs = pysubs2.load(str(path))
    assert [e.plaintext for e in subs] == ["今天只要一百二十九！", "第一款产品是面霜", "非常滋润"]
    # Without word times the segment is shared by width: 9 of 14 units (comma included) of
    # 10-14 s; the second window starts 4 s into the clip; all divided by the speed.
    split = (4 + 4 * 9 / 14) / 1.25
    expected = [(0.0, 3.2), (3.2, split), (split, 6.4)]
    tolerance = 0.011  # ASS stores centiseconds
    for event, (start, end) in zip(subs, expected, strict=True):
        assert event.start / 1000 == pytest.approx(start, abs=tolerance)
        assert event.end / 1000 == pytest.approx(end, abs=tolerance)
    # No stray files (temporary names are renamed away).
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_no_cues_writes_nothing(host, make_request):
    req = make_request(TRANSCRIPT, [win(50, 60)])
    assert _writer(host, "srt").write(req) is None
    assert not list(req.out_path.parent.iterdir())


def test_custom_line_length_from_config(host, make_request):
    t = Transcript(segments=[seg(1, 0, 4, "这款面霜非常滋润而且一点都不油腻")])
    path = _writer(host, "srt", max_line_chars_cjk=8).write(make_request(t, [win(0, 4)]))
    assert [e.plaintext for e in pysubs2.load(str(path))] == [
        "这款面霜非常滋润",
        "而且一点都不油腻",
    ]


def _style(path):
    subs = pysubs2.load(str(path))
    return subs, subs.styles["Default"]


def test_ass_uses_output_size_and_bundled_font(host, make_request):
    path = _writer(host, "ass").write(make_request(TRANSCRIPT, WINDOWS, width=1080, height=1920))
    subs, st = _style(path)
    assert (subs.info["PlayResX"], subs.info["PlayResY"]) == ("1080", "1920")
    assert st.fontname == "Noto Sans SC"
    assert st.alignment == pysubs2.Alignment.BOTTOM_CENTER
    assert st.fontsize == 52 and st.marginv == round(1920 * 0.065)


def test_ass_scales_with_the_shorter_side(host, make_request):
    small = _writer(host, "ass").write(
        make_request(TRANSCRIPT, WINDOWS, width=360, height=640, name="s")
    )
    big = _writer(host, "ass").write(
        make_request(TRANSCRIPT, WINDOWS, width=1920, height=1080, name="b")
    )
    _, s = _style(small)
    _, b = _style(big)
    assert s.fontsize == round(52 / 3) and b.fontsize == 52
    assert s.outline == pytest.approx(1.0) and b.outline == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("preset", "alignment", "margin_fraction"),
    [("bottom", 2, 0.065), ("top", 8, 0.065), ("short_video_safe", 2, 0.18)],
)
def test_position_presets(host, make_request, preset, alignment, margin_fraction):
    req = make_request(TRANSCRIPT, WINDOWS, width=1080, height=1920, position_preset=preset)
    _, st = _style(_writer(host, "ass").write(req))
    assert int(st.alignment) == alignment
    assert st.marginv == round(1920 * margin_fraction)


def test_font_themes_and_multiplier(host, make_request):
    sizes = {}
    for theme in ("default", "short_video_bold", "minimal"):
        req = make_request(TRANSCRIPT, WINDOWS, font_theme=theme, name=theme)
        _, st = _style(_writer(host, "ass").write(req))
        sizes[theme] = (st.fontsize, st.bold)
    assert sizes["short_video_bold"][1] is True and sizes["default"][1] is False
    assert sizes["minimal"][0] < sizes["default"][0] < sizes["short_video_bold"][0]
    req = make_request(TRANSCRIPT, WINDOWS, font_scale_multiplier=1.5, name="x")
    _, st = _style(_writer(host, "ass").write(req))
    assert st.fontsize == 78


def test_ass_text_cannot_inject_override_tags(host, make_request):
    t = Transcript(segments=[seg(1, 0, 2, r"price {\fs200} now")])
    path = _writer(host, "ass").write(make_request(t, [win(0, 2)]))
    text = path.read_text(encoding="utf-8")
    assert r"{\fs200}" not in text
