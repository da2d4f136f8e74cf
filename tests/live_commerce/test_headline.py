"""Names a sentence opens with: how terse hosts introduce a product."""

from __future__ import annotations

import pytest
from clipora_live_commerce.headline import headline


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Car mount, magnetic, clips onto the vent.", "car mount"),
        ("Next, cable pouch.", "cable pouch"),
        ("Yes. £27.", None),
        ("Questions in chat.", None),
        ("Limited stock, grab it now.", None),
        ("Done. Some of you asked about the power bank", None),
    ],
)
def test_english_headlines(text, name):
    assert headline(text, "en", sentence_start=True) == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("水壶，一升的，一只手能拿", "水壶"),
        ("最后一个，弹力带，五种阻力", "弹力带"),
        ("数量有限，三二一，上链接", None),
        ("价格，今天159", None),
        ("有人问今天有没有福袋", None),
    ],
)
def test_mandarin_headlines(text, name):
    assert headline(text, "zh", sentence_start=True) == name


def test_a_line_that_continues_a_sentence_has_no_headline_at_its_start():
    assert headline("tracker tags. Fall in the pack.", "en", sentence_start=False) is None
