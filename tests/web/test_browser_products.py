"""The product-list box on the new-job form, in headless Chromium: a bad line is explained and
what the user typed is still there to fix."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from web_support import CHROMIUM

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
)


def test_a_bad_product_line_is_explained_and_kept(page, live_server, media):
    page.goto(live_server["url"] + "/")
    page.fill("#server_path", str(media["video"]))
    page.fill("#products_text", "保温杯 | 保温瓶\n| 杯子\n")
    page.click("#start")
    expect(page.locator("#form-error")).to_contain_text(
        "product list text line 2: missing product name before '|'"
    )
    expect(page.locator("#products_text")).to_have_value("保温杯 | 保温瓶\n| 杯子\n")
    expect(page.locator("#server_path")).to_have_value(str(media["video"]))
