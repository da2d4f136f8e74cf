"""Review before render in headless Chromium: a job stopped for review is corrected (a misheard
product name), one clip trimmed and the other dropped, then only the kept clip is rendered; the
downloaded clip's length, its subtitles, its burned-in frame and the job's files are checked."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from web_media import FREEZE, ffmpeg, make_frozen_video
from web_support import CHROMIUM

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
)
CLIP1, CLIP2 = "semantic-item-001-plan-001", "semantic-item-001-plan-002"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "images"


def _review_job(server, media) -> Path:
    r = subprocess.run(
        [sys.executable, "-m", "clipora_core.cli", "run", str(media["video"]), "--review",
         "--config", str(server["config"]), "--set", "render_subtitles.mode=both"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip().splitlines()[-1])


def _frame(video: Path, at: float, out: Path) -> bytes:
    subprocess.run(
        [ffmpeg(), "-nostdin", "-y", "-loglevel", "error", "-ss", str(at), "-i", str(video),
         "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", str(out)],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


def _duration(video: Path) -> float:
    r = subprocess.run([ffmpeg(), "-i", str(video)], capture_output=True, text=True)
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", r.stderr).groups()  # type: ignore[union-attr]
    return int(h) * 3600 + int(m) * 60 + float(s)


def _wait_version(page, n: int) -> None:
    page.wait_for_selector(f'#review[data-version="{n}"]', timeout=15_000)


def test_review_fix_trim_drop_and_render(page, live_server, media, tmp_path):
    job = _review_job(live_server, media)
    page.goto(f"{live_server['url']}/jobs/{job.name}")
    page.click("#review-link")
    page.wait_for_url(re.compile(r".*/review$"))
    _wait_version(page, 0)
    expect(page.locator(".item-title")).to_have_text("water bottle")
    expect(page.locator("#review-awaiting")).to_be_visible()

    # The host said "water bottle"; the product is a thermos flask.
    row = page.locator('[data-line="seg-0006"]')
    expect(row).to_have_count(1)
    row.locator(".line-text").fill(
        "This thermos flask is double wall stainless steel, so it keeps drinks cold"
    )
    row.locator(".save-line").click()
    _wait_version(page, 1)
    expect(page.locator(".item-title")).to_have_text("thermos flask")

    clip = page.locator(f'[data-clip="{CLIP1}"]')
    expect(clip.locator(".win-start")).to_have_count(1)  # hook and body run on
    clip.locator(".win-end").first.fill("40")
    clip.locator(".apply-windows").click()
    _wait_version(page, 2)
    starts = page.locator(f'[data-clip="{CLIP1}"] .win-start')
    expect(starts).to_have_count(1)
    assert page.locator(f'[data-clip="{CLIP1}"] .win-end').input_value() == "38.93"  # a pause

    page.uncheck(f"#keep-{CLIP2}")
    _wait_version(page, 3)
    expect(page.locator(f'[data-clip="{CLIP2}"]')).to_have_class(re.compile("dropped"))
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "review-en.png"), full_page=True)
    if page.locator("#lang-zh-CN").count():  # the interface's language switch
        page.click("#lang-zh-CN")
        _wait_version(page, 3)
        page.screenshot(path=str(DOCS / "review-zh.png"), full_page=True)

    page.click("#review-render")
    page.wait_for_url(re.compile(rf".*/jobs/{job.name}$"))
    page.wait_for_selector(".clip video", timeout=90_000)  # the page reloads once rendered
    with page.expect_download() as info:
        page.locator(".download-clip").first.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    # With subtitles burned in, the page offers that version first.
    assert saved.name == f"1-{CLIP1}-subtitled.mp4"
    assert abs(_duration(saved) - (38.93 - 24.41)) < 0.3

    renders = job / "renders"
    assert sorted(p.name for p in renders.iterdir() if not p.name.startswith(".")) == sorted(
        [f"1-{CLIP1}{end}" for end in
         (".mp4", "-subtitled.mp4", ".srt", ".vtt", "-cover.jpg")] + ["execution_result.json"]
    )  # fmt: skip
    srt = (renders / f"1-{CLIP1}.srt").read_text(encoding="utf-8")
    assert "thermos flask" in srt and "water bottle" not in srt
    assert saved.read_bytes() == (renders / saved.name).read_bytes()
    plain = _frame(renders / f"1-{CLIP1}.mp4", 0.5, tmp_path / "plain.gray")
    burned = _frame(saved, 0.5, tmp_path / "burned.gray")
    changed = sum(a != b for a, b in zip(plain, burned, strict=True))
    assert changed > len(plain) * 0.01  # the subtitle is burned into the frame
    result = json.loads((renders / "execution_result.json").read_text())
    assert [a["metadata"]["title"] for a in result["artifacts"]] == ["thermos flask"]


def test_the_new_job_form_can_stop_jobs_for_review(page, live_server, media, tmp_path):
    """The publish section's "review before rendering" box: one recording stops at review with
    a link to the review page; a batch uploaded with it ticked does the same for each."""
    page.goto(live_server["url"] + "/?lang=zh-CN")
    box = page.locator("#opt-review-enabled")
    expect(page.locator("#publish label", has=box)).to_contain_text("先审核再生成")
    page.goto(live_server["url"] + "/?lang=en")
    expect(page.locator("#publish label", has=box)).to_contain_text(
        "Review the clips before rendering"
    )
    assert not box.is_checked()  # the settings leave it off
    page.set_input_files("#video", str(media["video"]))
    page.set_input_files("#transcript", str(media["srt"]))
    box.check()
    page.click("#start")
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f]{12}$"))
    page.wait_for_selector('#job[data-active="false"]', timeout=120_000)
    page.wait_for_selector("#review-link")  # the page reloads once the job stops
    expect(page.locator("#job-status")).to_have_attribute("data-status", "review")
    expect(page.locator("#job-status")).to_have_text("Waiting for review")
    expect(page.locator("#review-entry")).to_contain_text("The clips await your review.")
    assert page.locator(".clip video").count() == 0  # nothing rendered
    page.click("#review-link")
    page.wait_for_url(re.compile(r".*/review$"))
    _wait_version(page, 0)
    expect(page.locator("#review-awaiting")).to_be_visible()

    pairs = []
    for name in ("morning", "evening"):
        video = tmp_path / f"{name}.mp4"
        video.write_bytes(media["video"].read_bytes())
        srt = tmp_path / f"{name}.srt"
        srt.write_bytes(media["srt"].read_bytes())
        pairs.append((video, srt))
    page.goto(live_server["url"] + "/")
    page.set_input_files("#video", [str(v) for v, _ in pairs])
    page.set_input_files("#transcript", [str(s) for _, s in pairs])
    page.check("#opt-review-enabled")
    page.click("#start")
    page.wait_for_url(re.compile(r".*/batches/b[0-9a-f]{11}$"))
    page.wait_for_selector('#batch[data-active="false"]', timeout=180_000)
    expect(page.locator('#batch-jobs [data-status="review"]')).to_have_count(2)
    links = page.locator("#batch-jobs a.review-link")
    expect(links).to_have_count(2)
    links.first.click()
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f]{12}/review$"))
    _wait_version(page, 0)


def _cleaned_review_job(server, folder: Path) -> Path:
    """A job whose cleaning cut the 12-18 s freeze out of the recording, stopped for review."""
    video = make_frozen_video(folder / "frozen.mp4")
    r = subprocess.run(
        [sys.executable, "-m", "clipora_core.cli", "run", str(video), "--review",
         "--config", str(server["config"]), "--set", "cleaning.enabled=true",
         "--set", "analysis.semantic_min_duration_seconds=2"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip().splitlines()[-1])


def test_cleaned_job_plays_recording_times_and_handles_drag(page, live_server, tmp_path):
    """The player shows the whole recording: the page seeks to recording times, plays a window
    across the cut without the frozen part, and a window's edge is dragged (then nudged with the
    arrow keys) before "apply" snaps it on the server."""
    job = _cleaned_review_job(live_server, tmp_path)
    cut = FREEZE[1] - FREEZE[0]
    page.goto(f"{live_server['url']}/jobs/{job.name}/review?lang=en")
    _wait_version(page, 0)
    expect(page.locator("#review-cleaned")).to_be_visible()
    clip = page.locator(".item").nth(1).locator(".clip-edit").last  # after the freeze
    clip_id = clip.get_attribute("data-clip")
    plan = json.loads((job / "analysis" / "edit_plan.json").read_text())
    (window,) = next(s for s in plan["segments"] if s["id"] == clip_id)["windows"]
    start_in, end_in = clip.locator(".win-start"), clip.locator(".win-end")
    assert float(start_in.input_value()) == pytest.approx(window["start_seconds"] + cut, abs=0.01)
    assert clip.locator(".timeline .cut").count() == 1  # the freeze, striped

    # Playing a window across the cut: from 10.5 s, jumping the freeze, on past 18 s.
    start_in.fill("10.5")
    end_in.fill("20")
    page.evaluate(
        "() => { const v = document.getElementById('review-video'); window.seen = [];"
        " v.addEventListener('timeupdate', () => window.seen.push(v.currentTime)); }"
    )
    clip.locator(".play-window").click()
    page.wait_for_function(
        "() => document.getElementById('review-video').currentTime > 18.4", timeout=15_000
    )
    seen = page.evaluate("() => window.seen")
    assert any(10.4 < t < 12.0 for t in seen), seen  # it played from the recording's 10.5 s
    assert not any(12.3 < t < 17.9 for t in seen), seen  # never the frozen picture

    # Drag the end handle to 27 s on the bar, then nudge it with the keyboard.
    bar = clip.locator(".timeline")
    a, b = float(bar.get_attribute("data-from")), float(bar.get_attribute("data-to"))
    box, handle = bar.bounding_box(), clip.locator(".handle-end")
    assert box and handle.get_attribute("role") == "slider"
    grip = handle.bounding_box()
    assert grip
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * (27.0 - a) / (b - a), grip["y"] + 5, steps=8)
    page.mouse.up()
    per_pixel = (b - a) / box["width"]
    dragged = float(end_in.input_value())
    assert dragged == pytest.approx(27.0, abs=2 * per_pixel + 0.01)
    handle.press("ArrowRight")
    handle.press("ArrowRight")
    handle.press("ArrowLeft")
    assert float(end_in.input_value()) == pytest.approx(dragged + 0.1, abs=0.001)
    assert handle.get_attribute("aria-valuenow") == end_in.input_value()
    expect(handle).to_be_focused()

    clip.locator(".apply-windows").click()
    _wait_version(page, 1)
    plan = json.loads((job / "analysis" / "edit_plan.json").read_text())
    (window,) = next(s for s in plan["segments"] if s["id"] == clip_id)["windows"]
    shown = float(page.locator(f'[data-clip="{clip_id}"] .win-end').input_value())
    assert shown == pytest.approx(window["end_seconds"] + cut, abs=0.01)  # one moment, two clocks
    assert shown == pytest.approx(dragged + 0.1, abs=1.5)  # at most a snap away from the drop
    assert float(page.locator(f'[data-clip="{clip_id}"] .win-start').input_value()) == (
        pytest.approx(10.5, abs=1.5)
    )
