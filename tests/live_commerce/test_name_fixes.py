"""Misheard product names written as listed, without rewriting the words around them."""

from __future__ import annotations

from clipora_live_commerce.engine import ListedProduct
from clipora_live_commerce.names import correct_names
from lc_transcripts import build_transcript

EN_LIST = [
    ListedProduct(0, "Classic Double-Breasted Belted Trench Coat", ("trench coat",)),
    ListedProduct(1, "Clear Brow Laminating Gel - Strong Hold", ("brow gel",)),
    ListedProduct(2, "Cashmere Blend Ribbed Beanie", ("beanie",)),
]


def test_english_words_that_only_sound_like_a_name_stay_as_said():
    said = [
        ("Okay, good, I got a little makeup on mine.", 3.0),
        ("Which one has been your favourite, tell me.", 3.0),
    ]
    transcript = build_transcript(said, "en")
    fixed, edits = correct_names(transcript, EN_LIST, "en")
    assert edits == []
    assert [s.text for s in fixed.segments] == [t for t, _ in said]


def test_an_english_name_of_several_words_heard_wrong_is_written_as_listed():
    transcript = build_transcript([("This brown gel holds all day.", 3.0)], "en")
    fixed, edits = correct_names(transcript, EN_LIST, "en")
    assert fixed.segments[0].text == "This brow gel holds all day."
    assert [(e["heard"], e["written"]) for e in edits] == [("brown gel", "brow gel")]


def test_a_mandarin_name_heard_with_the_wrong_characters_is_written_as_listed():
    listed = [ListedProduct(0, "神经酰胺屏障修护保湿面霜 50g", ("面霜",))]
    transcript = build_transcript([("我们讲第二个，这罐面爽。", 3.0)], "zh")
    fixed, _ = correct_names(transcript, listed, "zh")
    assert "面霜" in fixed.segments[0].text
