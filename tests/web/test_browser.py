"""End to end in headless Chromium (system package, driven by Playwright): a user uploads a
generated video, watches the stages finish, plays and downloads a clip, edits the config without
ever seeing a secret, and reads why a job failed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect
from web_support import CHROMIUM, SECRET

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
)


def _wait_done(page, status: str) -> None:
    """Wait until the live page showed ``status`` and then reloaded itself as a finished job.

    (Predicates are functions: a bare expression would be eval'd, which the page's CSP forbids.)"""
    page.wait_for_function(
        f"() => document.getElementById('job-status').dataset.status === '{status}'",
        timeout=120_000,
    )
    page.wait_for_selector('#job[data-active="false"]', timeout=30_000)
    page.wait_for_load_state()
    expect(page.locator("#job-status")).to_have_attribute("data-status", status)


def _start_job(
    page, server, video: Path, transcript: Path | None = None, asr_mode: str = ""
) -> str:
    page.goto(server["url"] + "/")
    page.set_input_files("#video", str(video))
    if transcript is not None:
        page.set_input_files("#transcript", str(transcript))
    if asr_mode:
        page.click("details.more summary")  # the less used choices start folded
        page.select_option("#opt-asr-mode", asr_mode)
    page.click("#start")
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f]{12}$"))
    return page.url.rsplit("/", 1)[1]


def test_upload_watch_play_and_download(page, live_server, media, tmp_path):
    job_id = _start_job(page, live_server, media["video"], media["srt"])
    # The page follows the job over server-sent events and reloads itself once it is done.
    assert page.locator("#job").get_attribute("data-active") == "true"
    page.evaluate(
        """() => { const el = document.getElementById('job-status'); const seen = [];
                   new MutationObserver(() => { seen.push(el.dataset.status);
                     sessionStorage.setItem('seen', JSON.stringify(seen)); })
                   .observe(el, {attributes: true, childList: true, subtree: true}); }"""
    )
    _wait_done(page, "completed")
    seen = json.loads(page.evaluate("() => sessionStorage.getItem('seen') || '[]'"))
    assert seen and seen[-1] == "completed", seen  # pushed live, before the page reloaded
    for stage in ("clean", "inspect", "semantic_discover", "semantic_cluster", "analyze", "render"):
        row = page.locator(f"#stage-{stage}")
        assert row.locator('[data-field="status"]').get_attribute("data-status") == "completed"
        assert row.locator('[data-field="percent"]').inner_text() == "100%"
    expect(page.locator(".clip video")).to_have_count(2)
    assert "water bottle" in page.locator(".clip figcaption").first.inner_text()

    # Play the first clip: it must really decode and advance, with its subtitle track loaded.
    page.wait_for_selector("#clip-0")
    page.evaluate(
        """() => { const v = document.getElementById('clip-0'); v.muted = true;
                   v.textTracks[0].mode = 'showing'; return v.play(); }"""
    )
    page.wait_for_function(
        "() => { const v = document.getElementById('clip-0');"
        " return v.readyState >= 2 && v.currentTime > 0.5; }",
        timeout=30_000,
    )
    duration = page.evaluate("document.getElementById('clip-0').duration")
    assert 20 < duration < 70
    page.wait_for_function(
        "() => { const t = document.getElementById('clip-0').textTracks[0];"
        " return t.cues && t.cues.length > 0; }",
        timeout=10_000,
    )
    cue = page.evaluate("document.getElementById('clip-0').textTracks[0].cues[0].text")
    assert cue.strip()

    with page.expect_download() as info:
        page.locator(".download-clip").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".mp4")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    clip = live_server["workdir"] / job_id / "renders" / download.suggested_filename
    assert saved.read_bytes() == clip.read_bytes()

    with page.expect_download() as info:
        page.click("#file-plan")
    assert info.value.suggested_filename == "edit_plan.json"

    page.goto(live_server["url"] + "/jobs")
    assert page.locator(f'tr[data-job="{job_id}"] .status').get_attribute("data-status") == (
        "completed"
    )


def test_failed_job_shows_its_reason(page, live_server, media):
    _start_job(page, live_server, media["lonely"], asr_mode="import")
    _wait_done(page, "failed")
    error = page.locator("#job-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("found no transcript")
    detail = page.locator('#stage-semantic_discover [data-field="detail"]').inner_text()
    assert "found no transcript" in detail
    expect(page.locator("#rerun")).to_be_visible()


def test_bad_upload_is_explained_on_the_form(page, live_server, media):
    page.goto(live_server["url"] + "/")
    page.set_input_files("#video", str(media["not_video"]))
    page.click("#start")
    assert "not a video file" in page.locator("#form-error").inner_text()


def test_config_editor_masks_secrets(page, live_server):
    page.goto(live_server["url"] + "/config")
    assert SECRET not in page.content()
    key = page.locator('[id="f-analysis.live_commerce.provider.api_key"]')
    assert key.get_attribute("type") == "password"
    assert key.input_value() == ""
    assert "leave empty to keep" in key.get_attribute("placeholder")

    _unfold(page, "render", "render.ffmpeg")
    page.fill('[id="f-render.playback_speed"]', "1.25")
    page.uncheck('[id="f-render.ffmpeg.smart_cut"]')
    page.click("#save")
    assert page.locator("#config-message").inner_text() == "Saved 2 change(s)."
    data = yaml.safe_load(live_server["config"].read_text())
    assert data["render"]["playback_speed"] == 1.25
    assert data["render"]["ffmpeg"]["smart_cut"] is False
    assert (
        data["analysis"]["live_commerce"]["provider"]["api_key"] == SECRET
    )  # the empty password field kept it
    assert page.locator('[id="f-render.playback_speed"]').input_value() == "1.25"
    assert SECRET not in page.content()

    # An invalid value is explained and not saved.
    _unfold(page, "render")
    page.fill('[id="f-render.playback_speed"]', "99")
    page.click("#save")
    assert page.locator("#config-error").is_visible()
    field_error = page.locator('[id="err-render.playback_speed"]')
    assert "less than or equal to 4" in field_error.inner_text()
    assert page.locator('[id="f-render.playback_speed"]').input_value() == "99"  # as typed
    assert yaml.safe_load(live_server["config"].read_text())["render"]["playback_speed"] == 1.25

    # Restore for the other tests sharing this server.
    page.goto(live_server["url"] + "/config")
    _unfold(page, "render", "render.ffmpeg")
    page.fill('[id="f-render.playback_speed"]', "1.0")
    page.check('[id="f-render.ffmpeg.smart_cut"]')
    page.click("#save")
    assert page.locator("#config-message").is_visible()


def _unfold(page, *sections: str) -> None:
    """Open advanced settings sections (they start folded)."""
    for section in sections:
        page.locator(f'[id="section-{section}"] > summary').click()


def test_plugins_page_lists_capabilities(page, live_server):
    page.goto(live_server["url"] + "/plugins")
    text = page.locator("table.plugins").inner_text()
    assert "asr:import" in text and "renderer:ffmpeg" in text
