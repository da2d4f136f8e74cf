"""Joining the transcripts of neighbouring ASR spans: cut in a pause both heard."""

from __future__ import annotations

from clipora_core.asr_spans import cut_point, join_spans, source_pieces, span_bounds
from clipora_core.contracts import TimeMapEntry, Transcript, TranscriptSegment, TranscriptWord


def _seg(words: list[tuple[float, float, str]]) -> TranscriptSegment:
    return TranscriptSegment(
        id="x",
        start_seconds=words[0][0],
        end_seconds=words[-1][1],
        text="".join(t for _, _, t in words).strip(),
        words=[TranscriptWord(start_seconds=a, end_seconds=b, text=t) for a, b, t in words],
    )


def _talk(a: float, b: float) -> list[tuple[float, float, str]]:
    """Words without pauses from ``a`` to ``b`` (0.4 s each)."""
    n = round((b - a) / 0.4)
    return [(a + i * 0.4, a + (i + 1) * 0.4, f" w{round(a + i * 0.4, 1)}") for i in range(n)]


def test_neighbours_are_cut_in_a_pause_both_heard_without_losing_or_doubling_words() -> None:
    # The speech: "... They play case charges | pause 34.9-35.6 | three more times. Next one."
    # Both spans heard 19.5-49.5; each split it into segments differently, and each timed the
    # words a little differently; the nominal cut (34.5) is in the middle of "charges".
    before = _talk(19.6, 31.6)
    left = Transcript(
        segments=[
            _seg(
                [
                    *before,
                    (31.7, 32.2, " They"),
                    (32.2, 32.6, " play"),
                    (33.9, 34.3, " case"),
                    (34.3, 34.9, " charges"),
                ]
            ),  # fmt: skip
            _seg([(35.6, 35.9, " three"), (35.9, 36.2, " more"), (36.2, 36.6, " times.")]),
            _seg([(37.0, 37.5, " Next"), (37.5, 38.0, " one."), *_talk(38.0, 49.2)]),
        ]
    )
    right = Transcript(
        segments=[
            _seg([*before, (31.75, 32.2, " They"), (32.2, 32.6, " play")]),
            _seg(
                [
                    (33.95, 34.3, " case"),
                    (34.3, 34.85, " charges"),
                    (35.65, 35.9, " three"),
                    (35.9, 36.2, " more"),
                    (36.2, 36.6, " times."),
                ]
            ),  # fmt: skip
            _seg([(37.0, 37.5, " Next"), (37.5, 38.0, " one."), *_talk(38.0, 49.2)]),
        ]
    )
    cut = cut_point(left, right, 34.5)
    heard = [
        (w.start_seconds, w.end_seconds) for t in (left, right) for g in t.segments for w in g.words
    ]
    assert not any(a < cut < b for a, b in heard)  # in a pause (32.6-33.9 or 34.9-35.6)
    assert abs(cut - 34.5) < 2
    joined = join_spans([left, right], [(0.0, 34.5), (34.5, 60.0)], 60.0)
    text = " ".join(s.text for s in joined.segments)
    assert "They play case charges three more times. Next one." in text
    assert text.count("charges") == 1 and text.count("They") == 1
    words = [w.text for s in joined.segments for w in s.words]
    assert len(words) == len(set(words))  # no word twice


def test_spans_cover_the_cleaned_timeline_through_the_kept_pieces() -> None:
    assert span_bounds(100.0, 40.0) == [(0.0, 100 / 3), (100 / 3, 200 / 3), (200 / 3, 100.0)]
    time_map = [
        TimeMapEntry(source_start_seconds=0, source_end_seconds=50,
                     cleaned_start_seconds=0, cleaned_end_seconds=50),
        TimeMapEntry(source_start_seconds=70, source_end_seconds=120,
                     cleaned_start_seconds=50, cleaned_end_seconds=100),
    ]  # fmt: skip
    pieces = source_pieces(time_map, 40.0, 60.0)
    assert [(p.source_start_seconds, p.source_end_seconds) for p in pieces] == [
        (40.0, 50.0),
        (70.0, 80.0),
    ]
    assert source_pieces([], 5.0, 9.0)[0].source_start_seconds == 5.0
