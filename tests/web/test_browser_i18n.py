"""A seller whose browser speaks Chinese: every page in 简体中文 with plain step names, a switch to
English, a settings error next to its field, a square clip with burned-in subtitles whose preview
is the file that downloads, and "download all" as one zip."""

from __future__ import annotations

import re
import zipfile

import pytest
import yaml
from playwright.sync_api import expect
from web_support import CHROMIUM

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


@pytest.fixture
def zh_page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_chinese_pages_switch_and_settings_errors(zh_page, live_server):
    page = zh_page
    page.goto(live_server["url"] + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("新建任务")
    form = page.locator("#new-job").inner_text()
    assert "发布设置" in form and "竖屏 9:16" in form and "烧进视频" in form
    assert not re.search(r"config:|sidecar_only|semantic_", form), form
    page.click("#lang-en")
    expect(page.locator("h1")).to_have_text("New job")
    page.goto(live_server["url"] + "/jobs")
    expect(page.locator("h1")).to_have_text("Jobs")  # the choice is remembered
    page.click("#lang-zh-CN")
    expect(page.locator("h1")).to_have_text("任务列表")

    page.goto(live_server["url"] + "/config")
    assert "基本设置" in page.locator("#basic legend").inner_text()
    basic = page.locator("#basic").inner_text()
    assert "字幕" in basic and "单独的字幕文件" in basic and "画面比例" in basic
    assert page.locator("details.section[open]").count() == 0  # advanced starts folded
    # Advanced fields have Chinese help from their config models, none stands in English.
    page.locator('[id="section-render.subject"] summary').click()
    subject_help = page.locator('[data-path="render.subject.max_speed"] .help').inner_text()
    assert "裁切框" in subject_help, subject_help
    assert "英文说明" not in page.locator("#config-form").inner_text()
    page.locator("#section-render summary").click()
    page.fill('[id="f-render.playback_speed"]', "99")
    page.click("#save")
    expect(page.locator('[id="err-render.playback_speed"]')).to_have_text("不能大于 4")
    assert page.locator("#section-render").get_attribute("open") is not None
    saved = yaml.safe_load(live_server["config"].read_text())
    assert (saved.get("render") or {}).get("playback_speed") != 99

    page.goto(live_server["url"] + "/plugins")
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 1280, width


def test_square_burned_clip_in_chinese_and_download_all(zh_page, live_server, media, tmp_path):
    page = zh_page
    page.goto(live_server["url"] + "/")
    page.set_input_files("#video", str(media["video"]))
    page.set_input_files("#transcript", str(media["srt"]))
    page.check("#opt-render-ffmpeg-aspect-1x1")
    page.check("#opt-render_subtitles-mode-both")
    page.select_option("#opt-render_subtitles-font_theme", "short_video_bold")
    page.click("#start")
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f]{12}$"))
    job_id = page.url.rsplit("/", 1)[1]
    page.wait_for_selector('#job[data-active="false"]', timeout=180_000)
    page.wait_for_load_state()
    expect(page.locator("#job-status")).to_have_attribute("data-status", "completed")
    expect(page.locator("#job-status")).to_have_text("完成")
    stages = page.locator("table.stages").inner_text()
    assert "识别语音" in stages and "找出商品" in stages and "semantic" not in stages
    assert "有声音" in stages and "个商品" in stages and not re.search(r"\w=\w", stages), stages
    created = page.locator("time.local-time").first
    assert "UTC" not in created.inner_text() and "UTC" in created.get_attribute("title")

    # The player shows the burned-in file (what "download video" gives), with no extra track.
    clip = page.locator(".clip").first
    assert clip.get_attribute("data-burned") == "true"
    video = clip.locator("video")
    assert video.get_attribute("src").endswith("/burned")
    assert video.locator("track").count() == 0
    assert (
        clip.locator(".download-clip").get_attribute("href").startswith(video.get_attribute("src"))
    )
    page.wait_for_function(
        "() => document.querySelector('.clip video').videoWidth > 0", timeout=20_000
    )
    size = page.evaluate("() => { const v = document.querySelector('.clip video');"
                         " return [v.videoWidth, v.videoHeight]; }")  # fmt: skip
    assert size[0] == size[1], size
    assert "字幕已烧进" in clip.inner_text() and clip.locator(".clip-title").inner_text()
    parts = clip.locator(".score").get_attribute("title")
    assert "说出商品名" in parts and "product_named" not in parts, parts

    with page.expect_download() as info:
        page.click("#download-all")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name == "product-clips.zip"
    with zipfile.ZipFile(saved) as zf:
        names = zf.namelist()
        assert zf.testzip() is None
        stored = {i.filename: i.compress_type for i in zf.infolist()}
    renders = live_server["workdir"] / job_id / "renders"
    clips = sorted(p.name for p in renders.glob("*.mp4"))
    assert sorted(n.split("/", 1)[1] for n in names if n.startswith("clips/")) == clips
    assert any(n.endswith("-subtitled.mp4") for n in clips)
    assert any(n.startswith("subtitles/") and n.endswith(".srt") for n in names)
    assert any(n.startswith("covers/") for n in names) and "edit_plan.json" in names
    assert all(stored[n] == zipfile.ZIP_STORED for n in names if n.endswith(".mp4"))
