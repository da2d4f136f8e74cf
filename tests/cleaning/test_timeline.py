"""The pure span rules (reference section 4.2 semantics) and the time map."""

from __future__ import annotations

import pytest
from clipora_core.api import TimeWindow
from clipora_core.timeline import (
    intersect_keeps,
    time_map_from_keeps,
    to_effective_time,
    to_original_time,
    to_original_windows,
)
from clipora_freeze_cleaner.detect import parse_freeze_events
from clipora_freeze_cleaner.timeline import (
    absorb_short_keeps,
    drop_short,
    keep_intervals,
    merge_close,
    removal_spans,
)


def _w(a: float, b: float) -> TimeWindow:
    return TimeWindow(start_seconds=a, end_seconds=b)


def test_merge_close_merges_gaps_up_to_the_limit_and_overlaps():
    spans = [(30.0, 35.0), (10.0, 12.0), (12.5, 14.0), (14.0, 15.0), (20.0, 22.0), (21.0, 21.5)]
    assert merge_close(spans, 0.5) == [(10.0, 15.0), (20.0, 22.0), (30.0, 35.0)]
    assert merge_close([(10.0, 12.0), (12.6, 14.0)], 0.5) == [(10.0, 12.0), (12.6, 14.0)]


def test_drop_short_keeps_spans_at_exactly_the_minimum():
    assert drop_short([(0.0, 4.0), (10.0, 13.99), (20.0, 30.0)], 4.0) == [(0.0, 4.0), (20.0, 30.0)]


def test_short_keeps_between_and_at_the_ends_are_absorbed():
    spans = [(0.3, 5.0), (5.4, 10.0), (20.0, 29.8)]
    assert absorb_short_keeps(spans, 0.5, 30.0) == [(0.0, 10.0), (20.0, 30.0)]
    # A keep of exactly the minimum stays.
    assert absorb_short_keeps([(5.0, 10.0), (10.5, 15.0)], 0.5, 30.0) == [(5.0, 10.0), (10.5, 15.0)]


def test_removal_spans_applies_merge_then_minimum_then_keep_rule():
    detected = [(10.0, 12.0), (12.3, 15.0), (18.0, 19.0), (40.0, 60.0)]
    # 10-15 merged (gap 0.3), 18-19 too short, 40-60 clamped to the 50 s source.
    assert removal_spans(detected, 50.0, merge_gap=0.5, min_remove=4.0, min_keep=0.5) == [
        (10.0, 15.0),
        (40.0, 50.0),
    ]


def test_keep_intervals_is_the_sorted_complement():
    assert keep_intervals([(20.0, 30.0), (0.0, 5.0)], 50.0) == [(5.0, 20.0), (30.0, 50.0)]
    assert keep_intervals([], 12.0) == [(0.0, 12.0)]
    assert keep_intervals([(0.0, 12.0)], 12.0) == []


def test_time_map_is_cumulative_and_durations_match():
    mapping = time_map_from_keeps([_w(0.0, 20.0), _w(32.0, 50.0)])
    assert [
        (
            e.source_start_seconds,
            e.source_end_seconds,
            e.cleaned_start_seconds,
            e.cleaned_end_seconds,
        )
        for e in mapping
    ] == [(0.0, 20.0, 0.0, 20.0), (32.0, 50.0, 20.0, 38.0)]


def test_time_lookups_both_ways():
    mapping = time_map_from_keeps([_w(0.0, 20.0), _w(32.0, 50.0)])
    assert to_effective_time(10.0, mapping) == 10.0
    assert to_effective_time(40.0, mapping) == pytest.approx(28.0)
    assert to_effective_time(25.0, mapping) == 20.0  # removed: where the recording resumes
    assert to_original_time(28.0, mapping) == pytest.approx(40.0)
    assert to_original_time(20.0, mapping) == pytest.approx(20.0)
    assert to_original_time(99.0, mapping) == 50.0


def test_a_cleaned_window_across_a_removal_splits_into_the_kept_pieces():
    mapping = time_map_from_keeps([_w(0.0, 20.0), _w(32.0, 50.0)])
    pieces = to_original_windows([_w(15.0, 25.0)], mapping)
    assert [(p.start_seconds, p.end_seconds) for p in pieces] == [(15.0, 20.0), (32.0, 37.0)]


def test_keeps_of_several_cleaners_intersect():
    first = [_w(0.0, 20.0), _w(32.0, 50.0)]
    second = [_w(0.0, 10.0), _w(15.0, 40.0)]
    assert [(k.start_seconds, k.end_seconds) for k in intersect_keeps(first, second)] == [
        (0.0, 10.0),
        (15.0, 20.0),
        (32.0, 40.0),
    ]


def test_parse_freeze_events_pairs_and_closes_a_trailing_freeze():
    lines = [
        "[freezedetect @ 0x1] lavfi.freezedetect.freeze_start: 11",
        "[freezedetect @ 0x1] lavfi.freezedetect.freeze_duration: 1",
        "[freezedetect @ 0x1] lavfi.freezedetect.freeze_end: 12.04",
        "frame=  10 fps=0.0 q=-0.0 size=N/A time=00:00:12.00",
        "[freezedetect @ 0x1] lavfi.freezedetect.freeze_end: 13",  # no start pending: ignored
        "[freezedetect @ 0x1] lavfi.freezedetect.freeze_start: 25.5",
    ]
    assert parse_freeze_events(lines, 30.0) == [(11.0, 12.04), (25.5, 30.0)]
