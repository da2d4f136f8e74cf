"""Bodies of the offline engine's clip plans: a second stretch added to a short body is a phrase
a viewer can follow, never a one-word flash ("Ready?"), and no body ends on a lead-in to the
next product."""

from __future__ import annotations

from clipora_live_commerce.engine import Line, PlanItemRequest
from clipora_live_commerce.offline import OfflineEngine

# One product of a stream, as Whisper timed it; the item ends on the next product's lead-in.
ITEM = [
    (18.55, 23.99, "Okay, let's start with our first product of the day, this insulated water bottle."),
    (24.51, 30.87, "This water bottle is double wall stainless steel, so it keeps drinks cold for 24 hours and"),
    (30.87, 31.83, "hot for 12."),
    (31.83, 38.83, "It holds 24 ounces, it fits in your car cup holder, and the lid is completely leak proof."),
    (39.47, 44.41, "You can open it with one hand, and it comes in white, black, and sage green."),
    (45.09, 51.95, "So, this water bottle normally sells for 49 dollars, but today it's only 29 dollars, right"),
    (51.95, 52.97, "here on the stream."),
    (53.65, 56.39, "We only have 50 on hand, so don't wait."),
    (56.87, 57.25, "Ready?"),
    (57.73, 60.21, "The link is up, 3, 2, 1."),
    (60.91, 64.31, "Yes, link number 1 is live, so grab it now."),
    (66.19, 67.91, "Alright, next product."),
]  # fmt: skip


def test_short_bodies_are_not_padded_with_flashes_or_lead_ins() -> None:
    lines = [
        Line(number=i + 5, id=f"seg-{i + 5:04d}", start_seconds=a, end_seconds=b, text=t)
        for i, (a, b, t) in enumerate(ITEM)
    ]
    request = PlanItemRequest(
        item_id="semantic-item-001",
        title="water bottle",
        summary="",
        lines=lines,
        window_line_ids=[[line.id for line in lines]],
        language="en",
        variants=2,
        hook_max_seconds=15.0,
        body_target_seconds=45.0,
    )
    plan = OfflineEngine().plan_item(request)
    assert len(plan.variants) == 2
    by_id = {line.id: line for line in lines}
    for variant in plan.variants:
        for span in variant.body:
            start = by_id[span.start_segment_id].start_seconds
            end = by_id[span.end_segment_id].end_seconds
            assert end - start >= 2.0, (variant.variant, span)
            assert "seg-0016" not in (span.start_segment_id, span.end_segment_id), "a lead-in"
