"""Cue building: remap onto the clip timeline, line breaking, word-timestamp cuts."""

from __future__ import annotations

import pytest
from clipora_core.contracts import Transcript
from clipora_subtitles.cues import LayoutOptions, build_cues, to_clip_time
from clipora_subtitles.tokens import width
from subtitle_helpers import seg, win

ZH = "这件白色衬衫面料很舒服，上身特别显瘦。今天直播间下单还送一条同款的腰带，数量有限先到先得"
EN = (
    "Hello everyone, welcome to the live stream. Today we are going to look at three amazing "
    "products that you will love."
)


def test_lines_break_at_punctuation_and_16_cjk_chars():
    t = Transcript(segments=[seg(1, 0, 10, ZH)])
    cues = build_cues(t, [win(0, 10)])
    texts = [c.text for c in cues]
    assert texts[:2] == ["这件白色衬衫面料很舒服", "上身特别显瘦"]  # broken at ， and 。
    assert "".join(texts) == ZH.replace("，", "").replace("。", "")
    assert all(len(x) <= 16 for x in texts)
    # "今天直播间下单还送一条同款的腰带" is 16 chars: one line, no orphan split
    assert "今天直播间下单还送一条同款的腰带" in texts
    assert cues[0].start == 0 and cues[-1].end == 10
    assert all(a.end <= b.start + 1e-9 for a, b in zip(cues, cues[1:], strict=False))


def test_long_cjk_phrase_is_split_into_balanced_lines():
    text = "这款面霜非常滋润而且一点都不油腻适合干皮和混合皮的姐妹们放心入手"  # 32 chars, no stops
    cues = build_cues(Transcript(segments=[seg(1, 0, 8, text)]), [win(0, 8)])
    assert [len(c.text) for c in cues] == [16, 16]


def test_english_breaks_at_word_boundaries_within_42_chars():
    cues = build_cues(Transcript(segments=[seg(1, 0, 12, EN)]), [win(0, 12)])
    texts = [c.text for c in cues]
    assert " ".join(texts) == EN
    assert all(len(x) <= 42 for x in texts)
    assert texts[-1] == "amazing products that you will love."  # balanced, not a 1-word orphan
    assert all(not x.startswith(" ") and not x.endswith(" ") for x in texts)


def test_mixed_script_width_and_custom_limits():
    assert width("iPhone", 16 / 42) == pytest.approx(6 * 16 / 42)
    text = "这款iPhone手机壳今天只要九块九包邮到家"
    cues = build_cues(
        Transcript(segments=[seg(1, 0, 6, text)]),
        [win(0, 6)],
        options=LayoutOptions(max_line_chars_cjk=10, max_line_chars_latin=26),
    )
    assert "".join(c.text for c in cues) == text
    assert all(width(c.text, 10 / 26) <= 10 for c in cues)


def test_multi_window_out_of_order_clip_is_remapped_and_clipped():
    t = Transcript(
        segments=[
            seg(1, 10, 14, "第一款产品是面霜。"),
            seg(2, 30, 34, "今天只要一百二十九。"),
            seg(3, 50, 54, "不在窗口里的话。"),
        ]
    )
    # Play order: 30-34 first (the hook), then 10-14.
    windows = [win(30, 34), win(10, 14)]
    cues = build_cues(t, windows)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (0.0, 4.0, "今天只要一百二十九"),
        (4.0, 8.0, "第一款产品是面霜"),
    ]
    assert to_clip_time(11.0, windows) == 5.0
    assert to_clip_time(20.0, windows) is None


def test_cue_is_cut_at_window_edges_with_word_timestamps():
    words = [
        (0.0, 0.5, "大家"), (0.5, 1.0, "好"), (1.2, 1.6, "这款"), (1.6, 2.0, "面霜"),
        (2.0, 2.6, "特别"), (2.6, 3.0, "滋润"),
    ]  # fmt: skip
    t = Transcript(segments=[seg(1, 0, 3, "大家好这款面霜特别滋润", words)])
    cues = build_cues(t, [win(1.1, 2.55)])
    # Only the words heard inside the window, timed by the words and clipped to the window.
    assert [(c.start, c.end, c.text) for c in cues] == [(0.1, 1.45, "这款面霜特别")]


def test_word_timestamps_time_each_line():
    words = [
        (0.0, 0.4, " Hello"), (0.4, 1.0, " everyone,"), (3.0, 3.3, " today"), (3.3, 3.5, " we"),
        (3.5, 3.8, " have"), (3.8, 4.1, " three"), (4.1, 4.9, " products."),
    ]  # fmt: skip
    text = "Hello everyone, today we have three products."
    cues = build_cues(Transcript(segments=[seg(1, 0, 5, text, words)]), [win(0, 5)])
    # The second line starts when "today" is spoken, not at an even share of the segment.
    assert [(c.start, c.end, c.text) for c in cues] == [
        (0.0, 1.0, "Hello everyone,"),
        (3.0, 4.9, "today we have three products."),
    ]


def test_punctuation_from_segment_text_is_put_back_on_bare_words():
    words = [(0.0, 0.8, "好的"), (0.8, 1.5, "我们"), (1.5, 2.0, "来看"), (2.0, 3.0, "第二款")]
    t = Transcript(segments=[seg(1, 0, 3, "好的。我们来看第二款！", words)])
    cues = build_cues(t, [win(0, 3)])
    assert [c.text for c in cues] == ["好的", "我们来看第二款！"]
    assert cues[1].start == 0.8


def test_numbers_split_into_word_pieces_keep_the_segment_spacing():
    # Whisper splits "199" into "19" + "9"; the subtitle must read 199, not "19 9".
    words = [
        (0.0, 0.5, "原价"),
        (0.5, 0.9, "19"),
        (0.9, 1.1, "9"),
        (1.1, 1.6, "today"),
        (1.6, 2.0, "only"),
    ]
    t = Transcript(segments=[seg(1, 0, 2, "原价199 today only", words)])
    assert [c.text for c in build_cues(t, [win(0, 2)])] == ["原价199 today only"]


def test_playback_speed_divides_clip_times():
    t = Transcript(
        segments=[seg(1, 10, 14, "第一款产品是面霜。"), seg(2, 30, 35, "今天只要一百二十九。")]
    )
    cues = build_cues(t, [win(30, 35), win(10, 14)], playback_speed=1.25)
    assert [(c.start, c.end) for c in cues] == [(0.0, 4.0), (4.0, 7.2)]


def test_no_overlap_means_no_cues():
    t = Transcript(segments=[seg(1, 10, 14, "第一款产品是面霜。")])
    assert build_cues(t, [win(20, 30)]) == []


def test_a_line_runs_on_across_a_cut_out_filler_and_pause():
    words = [
        (0.0, 0.4, " This"), (0.4, 0.8, " bottle"), (1.0, 1.3, " um,"), (2.9, 3.2, " keeps"),
        (3.2, 3.5, " drinks"), (3.5, 4.0, " cold."),
    ]  # fmt: skip
    text = "This bottle um, keeps drinks cold."
    # Tight bodies cut "um," and most of the pause after it: two windows of one sentence.
    cues = build_cues(
        Transcript(segments=[seg(1, 0, 4, text, words)]), [win(0, 0.9), win(2.7, 4.0)]
    )
    assert [c.text for c in cues] == ["This bottle keeps drinks cold."]  # one line, no filler
    (cue,) = cues
    assert (cue.start, cue.end) == (0.0, 2.2)  # 0.9 s + 1.3 s of clip
    assert [w for _, w in cue.words] == ["This", " bottle", " keeps", " drinks", " cold."]
    assert cue.words[2][0] == pytest.approx(0.9 + 0.2)  # "keeps" after the join
    # Windows far apart (a hook from later in the stream) still break the line.
    far = build_cues(Transcript(segments=[seg(1, 0, 4, text, words)]), [win(2.7, 4.0), win(0, 0.9)])
    assert [c.text for c in far] == ["keeps drinks cold.", "This bottle"]
