"""Several recordings uploaded at once become a batch: a job each, one page with the overall
progress, the clips with thumbnails, and the same report entries as `clipora batch`."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_support import CHROMIUM


@pytest.fixture
def two(media: dict[str, Path], tmp_path: Path) -> list[tuple[Path, Path]]:
    """Two recordings, each with its transcript named like it."""
    out = []
    for name in ("早场 day1", "day2"):
        video = shutil.copyfile(media["video"], tmp_path / f"{name}.mp4")
        srt = shutil.copyfile(media["srt"], tmp_path / f"{name}.srt")
        out.append((Path(video), Path(srt)))
    return out


def _files(pairs: list[tuple[Path, Path]], transcripts: bool = True) -> list[tuple[str, Any]]:
    files: list[tuple[str, Any]] = []
    for video, srt in pairs:
        files.append(("video", (video.name, video.read_bytes(), "video/mp4")))
        if transcripts:
            files.append(("transcript", (srt.name, srt.read_bytes(), "application/x-subrip")))
    return files


def _wait_batch(client: Any, batch_id: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        snap = client.get(f"/api/batches/{batch_id}").json()
        if not snap["active"]:
            return snap
        assert time.monotonic() < deadline, snap
        time.sleep(0.5)


def test_a_batch_upload_runs_a_job_per_recording(make_client, two, tmp_path):
    client = make_client()
    r = client.post("/api/batches", files=_files(two), data={"products_text": "water bottle\n"})
    assert r.status_code == 201, r.text
    snap = r.json()
    assert re.fullmatch(r"b[0-9a-f]{11}", snap["batch_id"])
    assert [j["source_name"] for j in snap["jobs"]] == ["早场 day1.mp4", "day2.mp4"]
    snap = _wait_batch(client, snap["batch_id"])
    assert snap["counts"] == {"completed": 2}
    assert snap["progress"] == 1.0
    for job in snap["jobs"]:
        assert job["status"] == "completed" and job["progress"] == 1.0
        assert job["clips"], job
        detail = client.get(f"/api/jobs/{job['job_id']}").json()
        assert detail["overrides"]["asr.mode"] == "import"  # its own transcript was used
        assert detail["products"] == 1
        thumb = client.get(job["clips"][0]["thumbnail_url"])
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
        assert thumb.content[:2] == b"\xff\xd8"
        clip = client.get(job["clips"][0]["url"])
        assert clip.status_code == 200 and len(clip.content) > 10_000
    # The report entries are `clipora batch`'s, naming the uploaded files, never server paths.
    names = [e["video"] for e in snap["report"]]
    assert names == ["早场 day1.mp4", "day2.mp4"]
    assert all(e["outcome"] == "done" and e["clips"] for e in snap["report"])
    assert str(tmp_path) not in r.text + client.get(f"/api/batches/{snap['batch_id']}").text


def test_batch_requests_that_cannot_work_are_refused(make_client, two, media):
    client = make_client()
    # A transcript named like no video.
    files = _files(two[:1], transcripts=False) + _files(two[1:], transcripts=False)
    files.append(("transcript", ("other.srt", media["srt"].read_bytes(), "application/x-subrip")))
    r = client.post("/api/batches", files=files)
    assert r.status_code == 400 and "matches none of the uploaded videos" in r.json()["detail"]
    # Several videos to the one-job endpoint.
    r = client.post("/api/jobs", files=_files(two))
    assert r.status_code == 400 and "/api/batches" in r.json()["detail"]
    # One bad file refuses the whole batch before any job is made.
    bad = [("video", ("notes.mp4", media["not_video"].read_bytes(), "video/mp4"))]
    r = client.post("/api/batches", files=_files(two) + bad)
    assert r.status_code == 400 and "notes.mp4" in r.json()["detail"]
    assert client.get("/api/jobs").json()["items"] == []
    assert client.get("/api/batches/b0123456789a").status_code == 404


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium (apt-get install chromium)"
)
def test_a_seller_uploads_two_recordings_in_the_browser(page, live_server, two):
    page.goto(live_server["url"] + "/")
    page.set_input_files("#video", [str(v) for v, _ in two])
    page.set_input_files("#transcript", [str(s) for _, s in two])
    page.click("#start")
    page.wait_for_url(re.compile(r".*/batches/b[0-9a-f]{11}$"))
    expect(page.locator("#batch-jobs tbody tr")).to_have_count(2)
    # The page refreshes itself until both are done.
    page.wait_for_selector('#batch[data-active="false"]', timeout=180_000)
    expect(page.locator("#batch-percent")).to_have_text("100%")
    expect(page.locator("#batch-jobs .status-completed")).to_have_count(2)
    thumbs = page.locator(".thumb img")
    assert thumbs.count() >= 2
    page.wait_for_function(
        "() => [...document.querySelectorAll('.thumb img')].every(i => i.complete && i.naturalWidth === 320)"
    )
    assert "早场 day1.mp4" in page.locator(".batch-recording h2").first.inner_text()
