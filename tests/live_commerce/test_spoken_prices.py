"""Amounts heard in a pitch: prices, not the numbers that name a material or a measure."""

from __future__ import annotations

import pytest
from clipora_live_commerce.features import prices


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("拿去这款保温杯,原价199,今天只要129", [199.0, 129.0]),
        ("这款保温杯是316不锈钢内胆,原价199", [199.0]),
        ("充电宝5000mAh,到手价99", [99.0]),
        ("还需129，1号链接", [129.0]),
    ],
)
def test_bare_numbers_in_price_talk(line: str, expected: list[float]) -> None:
    assert sorted(set(prices(line, "zh"))) == sorted(expected)
