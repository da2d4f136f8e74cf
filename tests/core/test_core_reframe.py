"""The crop path for ``fit: subject`` (clipora_core.reframe): subjects stay inside, the crop
never moves faster than allowed, does not sway with a swaying host, starts afresh at a cut, and
gives way to a blurred fill when the subjects cannot fit."""

from __future__ import annotations

import random

from clipora_core.contracts import SubjectBox, SubjectSample, TimeWindow
from clipora_core.reframe import FramingOptions, plan_framing, plan_window

W, H = 1280, 720
CROP = (406, 720)  # 9:16 out of 16:9


def box(x: float, width: float = 120, kind: str = "salient") -> SubjectBox:
    return SubjectBox(kind=kind, left=x / W, top=0.3, right=(x + width) / W, bottom=0.7)  # type: ignore[arg-type]


def at(keys: list[tuple[float, float, float]], t: float) -> float:
    """The crop's left edge at ``t``, as the renderer draws it (straight lines, held ends)."""
    if t <= keys[0][0]:
        return keys[0][1]
    for a, b in zip(keys, keys[1:], strict=False):
        if a[0] <= t <= b[0]:
            f = (t - a[0]) / (b[0] - a[0]) if b[0] > a[0] else 0.0
            return a[1] + f * (b[1] - a[1])
    return keys[-1][1]


def max_speed(keys: list[tuple[float, float, float]]) -> float:
    return max(
        (abs(b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(keys, keys[1:], strict=False)),
        default=0.0,
    )


def test_a_subject_crossing_the_frame_stays_inside_at_every_sample() -> None:
    samples = [(i * 0.5, [box(100 + 80 * i * 0.5)]) for i in range(21)]  # 80 px/s, 10 s
    plan = plan_window(samples, (W, H), CROP, FramingOptions())
    assert plan.framing.mode == "crop" and plan.fitting == plan.samples == 21
    keys = plan.framing.keys
    for t, (b,) in samples:
        x = at(keys, t)
        assert x <= b.left * W and b.right * W <= x + CROP[0], t
    assert max_speed(keys) <= 0.25 * W + 1e-6


def test_the_speed_limit_holds_when_the_subject_is_faster() -> None:
    samples = [(i * 0.5, [box(50 + 400 * i * 0.5)]) for i in range(6)]  # 400 px/s
    opts = FramingOptions(max_speed=0.1)
    plan = plan_window(samples, (W, H), CROP, opts)
    assert max_speed(plan.framing.keys) <= 0.1 * W + 1e-6


def test_a_swaying_host_does_not_sway_the_frame() -> None:
    rng = random.Random(7)
    samples = [(i * 0.5, [box(560 + rng.uniform(-25, 25), 160, "person")]) for i in range(40)]
    keys = plan_window(samples, (W, H), CROP, FramingOptions()).framing.keys
    xs = [at(keys, t) for t, _ in samples]
    assert max(xs) - min(xs) < 2, xs  # held still: the host never left the crop's middle


def test_the_host_and_the_raised_product_both_stay_in_frame() -> None:
    host = box(500, 160, "person")
    held = SubjectBox(kind="hands", left=700 / W, top=0.4, right=800 / W, bottom=0.6)
    plan = plan_window([(0.0, [host, held]), (1.0, [host, held])], (W, H), CROP, FramingOptions())
    x = plan.framing.keys[0][1]
    assert x <= 500 and x + CROP[0] >= 800


def test_subjects_too_wide_for_the_crop_get_a_blurred_fill() -> None:
    wide = [(i * 0.5, [box(200, 700, "person")]) for i in range(10)]
    plan = plan_window(wide, (W, H), CROP, FramingOptions())
    assert plan.framing.mode == "fill" and plan.fitting == 0


def test_each_cut_is_planned_on_its_own_and_nothing_found_means_the_centre() -> None:
    cuts = [
        TimeWindow(start_seconds=0, end_seconds=5),
        TimeWindow(start_seconds=20, end_seconds=25),
    ]
    samples = [SubjectSample(timestamp_seconds=t, boxes=[box(50)]) for t in (0.25, 2.5, 4.75)]
    samples += [SubjectSample(timestamp_seconds=t, boxes=[box(1100)]) for t in (20.25, 22.5, 24.75)]
    first, second = plan_framing(cuts, samples, (W, H), CROP, FramingOptions())
    # The subject near the left edge, then (after the cut, no glide) near the right edge.
    assert all(x <= 50 for _, x, _ in first.framing.keys)
    assert all(1220 - CROP[0] <= x <= 1100 for _, x, _ in second.framing.keys)
    assert second.framing.keys[0][0] == 0.0
    (empty,) = plan_framing(cuts[:1], [], (W, H), CROP, FramingOptions())
    assert empty.framing.keys == [(0.0, (W - CROP[0]) / 2, 0.0)]
