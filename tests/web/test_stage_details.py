"""A stage's one-line summary on the job page reads as words in the page's language."""

from __future__ import annotations

import pytest
from clipora_web.i18n import detail_label


@pytest.mark.parametrize(
    ("stage", "raw", "zh", "en"),
    [
        ("clean", "disabled", "未开启", "off"),
        ("inspect", "duration=191.5s 480x270 audio=yes", "时长 191.5s，480x270，有声音",
         "191.5s long, 480x270, with sound"),
        ("semantic_cluster", "items=3 dropped=0", "3 个商品，舍弃 0 个", "products: 3, set aside: 0"),
        ("analyze", "segments=6 items=3 failed=0", "计划 6 个片段，3 个商品，失败 0 个",
         "clips planned: 6, products: 3, failed: 0"),
        ("render", "success=3 failure=0", "生成 3 个片段，失败 0 个", "clips made: 3, failed: 0"),
    ],
)  # fmt: skip
def test_known_summaries_are_translated(stage: str, raw: str, zh: str, en: str) -> None:
    assert detail_label("zh-CN", stage, raw) == zh
    assert detail_label("en", stage, raw) == en


@pytest.mark.parametrize(
    "raw",
    ["interrupted: the process working on it stopped before finishing", "frames=3 items=2", ""],
)
def test_other_summaries_stay_as_written(raw: str) -> None:
    assert detail_label("zh-CN", "analyze", raw) == raw
