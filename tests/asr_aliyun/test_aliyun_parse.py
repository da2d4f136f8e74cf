"""Result parsing on its own: the shapes GetTaskResult returns, and the transcript invariants."""

from __future__ import annotations

from aliyun_fake import sentence, word
from clipora_asr_aliyun.parse import parse_result


def test_sentence_owned_words_and_alternative_keys():
    result = {
        "Sentences": [
            {
                "BeginTime": 1000,
                "EndTime": 2000,
                "Text": " hello world ",
                "Words": [
                    {"beginTime": 1000, "endTime": 1400, "text": "hello"},
                    {"StartTime": 1500, "EndTime": 2000, "Word": "world"},
                    {"BeginTime": 1900, "Word": "no end"},  # skipped: no end time
                ],
            }
        ]
    }
    (seg,) = parse_result(result, 10.0)
    assert seg.text == "hello world"
    assert [(w.text, w.start_seconds, w.end_seconds) for w in seg.words] == [
        ("hello", 1.0, 1.4),
        ("world", 1.5, 2.0),
    ]


def test_order_overlap_duration_and_channels():
    result = {
        "Sentences": [
            sentence(5000, 9000, "third, runs past the end"),
            sentence(0, 2000, "first"),
            sentence(1500, 4000, "second overlaps"),
            sentence(4000, 4000, "zero length"),
            sentence(100, 200, ""),  # empty text
            {"BeginTime": "x", "EndTime": 10, "Text": "bad time"},
        ],
        "Words": [
            word(0, 900, "fir"),
            word(900, 2000, "st"),
            word(1500, 2500, "second", channel=1),  # other channel: not this sentence's
            word(1600, 2600, "second"),
            word(5000, 9000, "third"),
        ],
    }
    segs = parse_result(result, 7.5)
    assert [s.id for s in segs] == ["seg-0001", "seg-0002", "seg-0003"]
    assert [(s.start_seconds, s.end_seconds) for s in segs] == [(0.0, 2.0), (2.0, 4.0), (5.0, 7.5)]
    assert [w.text for w in segs[0].words] == ["fir", "st"]
    assert [(w.text, w.start_seconds) for w in segs[1].words] == [("second", 2.0)]
    assert segs[2].words[0].end_seconds == 7.5


def test_missing_or_odd_result():
    assert parse_result(None, 3.0) == []
    assert parse_result({}, 3.0) == []
    assert parse_result({"Sentences": None, "Words": None}, 3.0) == []
