"""Review before render through the JSON API: a job stops after analyze, every edit is
validated (each limit answered with a clear 4xx and no server path), the kept clips render, and
a later edit renders again only the clip it touched. Also ``clipora run --review``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

from pytest import approx
from web_media import FREEZE, make_frozen_video
from web_support import upload, wait_for, write_config

CLIP1, CLIP2 = "semantic-item-001-plan-001", "semantic-item-001-plan-002"


def _review_job(client, media) -> str:
    r = upload(client, media["video"], media["srt"], **{"review.enabled": "true"})
    assert r.status_code == 201, r.text
    job_id = r.json()["job_id"]
    snap = wait_for(client, job_id)
    assert snap["status"] == "review", snap
    assert snap["outputs"] == [] and snap["stages"][-1]["status"] == "pending"
    return job_id


def _clip_times(workdir: Path, job_id: str) -> dict[str, int]:
    renders = workdir / job_id / "renders"
    return {p.name: p.stat().st_mtime_ns for p in renders.glob("*.mp4")}


def test_edits_are_validated(make_client, media, tmp_path):
    client = make_client()
    job_id = _review_job(client, media)
    url = f"/api/jobs/{job_id}/review"
    view = client.get(url).json()
    assert view["version"] == 0 and view["awaiting_review"] is True
    assert [c["id"] for c in view["items"][0]["clips"]] == [CLIP1, CLIP2]

    long_windows = [{"start_seconds": i, "end_seconds": i + 0.5} for i in range(21)]
    bad = [
        ({"kind": "nope"}, "does not match any of the expected tags"),
        ({"kind": "keep", "clip_id": CLIP1}, "keep: Field required"),
        ({"kind": "keep", "clip_id": CLIP1, "keep": True, "x": 1}, "Extra inputs"),
        ({"kind": "keep", "clip_id": "../../etc", "keep": True}, "should match pattern"),
        ({"kind": "keep", "clip_id": "missing", "keep": False}, "no clip 'missing'"),
        ({"kind": "transcript", "segment_id": "seg-0001", "text": "x" * 501}, "at most 500"),
        ({"kind": "transcript", "segment_id": "seg-0001", "text": " "}, "text is empty"),
        ({"kind": "transcript", "segment_id": "seg-9999", "text": "x"}, "no transcript line"),
        ({"kind": "rename", "item_id": "semantic-item-001", "title": "y" * 121}, "at most 120"),
        ({"kind": "rename", "item_id": "other", "title": "y"}, "no product 'other'"),
        ({"kind": "merge", "item_id": "semantic-item-001", "into_id": "semantic-item-001"},
         "into itself"),
        ({"kind": "windows", "clip_id": CLIP1, "windows": long_windows}, "at most 20"),
        ({"kind": "windows", "clip_id": CLIP1, "windows": [{"start_seconds": 9, "end_seconds": 3}]},
         "must be after start"),
        ({"kind": "windows", "clip_id": CLIP1, "windows": [{"start_seconds": 60, "end_seconds": 90}]},
         "ends after the video (70.00s)"),
        ({"kind": "windows", "clip_id": CLIP1, "windows": [
            {"start_seconds": 10, "end_seconds": 20}, {"start_seconds": 15, "end_seconds": 25}]},
         "must not overlap"),
    ]  # fmt: skip
    for body, message in bad:
        r = client.post(url + "/edits", json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["code"] == "invalid_edit" and message in r.json()["detail"], r.json()
        assert str(tmp_path) not in r.text
    r = client.post(
        url + "/edits", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and "Invalid JSON" in r.json()["detail"]
    r = client.post(
        url + "/edits", content=b'{"kind": "keep"}', headers={"content-type": "text/plain"}
    )
    assert r.status_code == 415
    r = client.post(
        url + "/edits", content=b" " * 20000, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and "at most 16 KiB" in r.json()["detail"]
    r = client.post(url + "/edits", content=b"")
    assert r.status_code == 400
    assert client.post(url + "/undo").json()["detail"] == "there is no edit to undo"
    r = client.post(url + "/undo", json={"to_version": -1})
    assert r.status_code == 400 and "greater than or equal to 0" in r.json()["detail"]
    assert client.get("/api/jobs/0123456789ab/review").status_code == 404
    assert client.get("/api/jobs/not-a-job/review").status_code == 422
    assert client.get(url).json()["version"] == 0  # nothing was recorded
    assert not (tmp_path / "workdir" / job_id / "analysis" / "review").exists()


def test_review_choice_on_the_form_can_be_unticked(make_client, media, tmp_path):
    """With review on in the settings the form's box starts ticked, and unticking it counts
    (a hidden "false" before the box: the last value of a field wins)."""
    client = make_client(config=write_config(tmp_path, **{"review.enabled": True}))
    home = client.get("/").text
    box = re.search(r'<input type="checkbox" name="review.enabled"[^>]*>', home)
    assert box and "checked" in box.group(0), home
    assert '<input type="hidden" name="review.enabled" value="false">' in home
    files = {
        "video": (media["video"].name, media["video"].read_bytes(), "video/mp4"),
        "transcript": (media["srt"].name, media["srt"].read_bytes(), "application/x-subrip"),
    }
    unticked = client.post("/api/jobs", files=files, data={"review.enabled": "false"}).json()
    ticked = client.post("/api/jobs", files=files, data={"review.enabled": ["false", "true"]})
    assert wait_for(client, unticked["job_id"])["status"] == "completed"
    assert wait_for(client, ticked.json()["job_id"])["status"] == "review"
    assert "checked" not in re.search(
        r'<input type="checkbox" name="review.enabled"[^>]*>', make_client().get("/").text
    ).group(0)  # type: ignore[union-attr]


def test_review_page_follows_the_language_choice(make_client, media):
    """The review page, its script's words and the job page's link speak the language every
    other page speaks: ?lang, then the cookie, then Accept-Language."""
    client = make_client()
    job_id = _review_job(client, media)
    zh = {"accept-language": "zh-CN,zh;q=0.9", "accept": "text/html"}

    def script_words(html: str) -> dict[str, str]:
        found = re.search(r"<body data-i18n='([^']*)'", html)
        assert found, html[:500]
        return json.loads(unescape(found.group(1)))["messages"]

    page = client.get(f"/jobs/{job_id}/review", headers=zh).text
    assert '<html lang="zh-CN">' in page and "<title>审核片段" in page and "撤销" in page
    words = script_words(page)
    assert words["review.saved"] == "已保存。" and words["review.play"] == "播放"
    assert "review.saved" not in script_words(client.get("/", headers=zh).text)  # its page only
    page = client.get(f"/jobs/{job_id}/review?lang=en", headers=zh).text
    assert "<title>Review clips" in page and script_words(page)["review.saved"] == "Saved."
    job_page = client.get(f"/jobs/{job_id}", headers=zh).text
    assert "片段在等你审核" in job_page and "审核并修改片段" in job_page
    client.get("/lang/en")
    assert script_words(client.get(f"/jobs/{job_id}/review", headers=zh).text)["review.undo"] == (
        "Undo"
    )  # the cookie wins over the browser's language
    assert "Review and edit the clips" in client.get(f"/jobs/{job_id}", headers=zh).text


def test_render_kept_clips_then_only_the_edited_clip_again(make_client, media, tmp_path):
    client = make_client()
    workdir = tmp_path / "workdir"
    job_id = _review_job(client, media)
    url = f"/api/jobs/{job_id}/review"
    assert client.post(url + "/render").status_code == 202
    snap = wait_for(client, job_id)
    assert snap["status"] == "completed" and len(snap["outputs"]) == 2, snap
    first = _clip_times(workdir, job_id)

    # A line only the first clip shows: only the first clip renders again.
    fix = {"kind": "transcript", "segment_id": "seg-0015", "text": "Link 1 is live now."}
    assert client.post(url + "/edits", json=fix).status_code == 200
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "review"
    assert client.post(url + "/render").status_code == 202
    assert wait_for(client, job_id)["status"] == "completed"
    second = _clip_times(workdir, job_id)
    assert second[f"2-{CLIP2}.mp4"] == first[f"2-{CLIP2}.mp4"]
    assert second[f"1-{CLIP1}.mp4"] != first[f"1-{CLIP1}.mp4"]
    srt = (workdir / job_id / "renders" / f"1-{CLIP1}.srt").read_text(encoding="utf-8")
    assert "Link 1 is live now" in srt and "grab it now" not in srt
    raw = json.loads((workdir / job_id / "semantic" / "transcript.json").read_text())
    assert raw["segments"][14]["text"] == "Yes, link number 1 is live, so grab it now."

    # Trimming the second clip renders only it; dropping the first removes its files.
    trim = {
        "kind": "windows",
        "clip_id": CLIP2,
        "windows": [{"start_seconds": 45.2, "end_seconds": 52.9}],
    }
    view = client.post(url + "/edits", json=trim).json()
    assert view["items"][0]["clips"][1]["windows"] == [
        {"start_seconds": 44.99, "end_seconds": 53.07}
        | {"recording_start_seconds": 44.99, "recording_end_seconds": 53.07}  # nothing cut
    ]
    client.post(url + "/edits", json={"kind": "keep", "clip_id": CLIP1, "keep": False})
    assert client.post(url + "/render").status_code == 202
    snap = wait_for(client, job_id)
    assert [o["clip_id"] for o in snap["outputs"]] == [CLIP2]
    assert 7.7 < snap["outputs"][0]["duration_seconds"] < 8.5
    assert sorted(_clip_times(workdir, job_id)) == [f"2-{CLIP2}.mp4"]

    # Undo brings the first clip back (its windows and text as before: rendered again once).
    view = client.post(url + "/undo").json()
    assert view["version"] == 2 and view["items"][0]["clips"][0]["kept"] is True


def test_cli_run_review_stops_after_analyze(media, tmp_path):
    config = write_config(tmp_path)
    cli = [sys.executable, "-m", "clipora_core.cli"]
    r = subprocess.run(
        [*cli, "run", str(media["video"]), "--config", str(config), "--review"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    job = Path(r.stdout.strip().splitlines()[-1])
    assert "the clips await review" in r.stderr and f"clipora render {job}" in r.stderr
    manifest = json.loads((job / "manifest.json").read_text())
    assert (
        manifest["awaiting_review"] is True and manifest["stages"]["render"]["status"] == "pending"
    )
    r = subprocess.run(
        [*cli, "render", str(job), "--config", str(config)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    manifest = json.loads((job / "manifest.json").read_text())
    assert manifest["awaiting_review"] is False and len(list((job / "renders").glob("*.mp4"))) == 2


def test_a_cleaned_job_is_reviewed_on_the_recordings_clock(make_client, tmp_path):
    """Cleaning cut a 6 s freeze (12-18 s) out of the recording: the page plays the recording,
    so the review sends each time on both clocks and takes windows on either."""
    video = make_frozen_video(tmp_path / "frozen.mp4")
    config = write_config(tmp_path, **{"analysis.semantic_min_duration_seconds": 2})
    client = make_client(config=config, media_dirs=[tmp_path])
    r = client.post(
        "/api/jobs",
        data={"server_path": str(video), "cleaning.enabled": "true", "review.enabled": "true"},
    )
    assert r.status_code == 201, r.text
    job_id = r.json()["job_id"]
    assert wait_for(client, job_id)["status"] == "review"
    url = f"/api/jobs/{job_id}/review"
    view = client.get(url).json()
    cut = FREEZE[1] - FREEZE[0]
    assert view["cleaned"] is True and abs(view["recording_duration_seconds"] - 30) < 0.1
    assert abs(view["duration_seconds"] - (30 - cut)) < 0.1
    ((removed),) = view["removed"]
    assert abs(removed["start_seconds"] - FREEZE[0]) < 0.05
    assert abs(removed["end_seconds"] - FREEZE[1]) < 0.05
    stand = view["items"][1]  # the product after the freeze
    line = next(x for x in stand["lines"] if x["text"].startswith("Next product"))
    assert line["start_seconds"] == approx(18.5 - cut, abs=0.05)  # the plan's clock
    assert line["recording_start_seconds"] == approx(18.5, abs=0.05)  # the video's
    clip = stand["clips"][-1]
    for w in clip["windows"]:
        assert w["recording_start_seconds"] == approx(w["start_seconds"] + cut, abs=0.05)
        assert w["recording_end_seconds"] == approx(w["end_seconds"] + cut, abs=0.05)

    def windows(start: float, end: float, **more: object) -> dict[str, object]:
        body = {"start_seconds": start, "end_seconds": end}
        return {"kind": "windows", "clip_id": clip["id"], "windows": [body], **more}

    def plan_clip() -> dict[str, object]:
        plan = json.loads((tmp_path / "workdir" / job_id / "analysis/edit_plan.json").read_text())
        return next(s for s in plan["segments"] if s["id"] == clip["id"])

    # A window given on the recording lands on the plan's clock, 6 s earlier.
    r = client.post(url + "/edits", json=windows(19.0, 28.0, clock="recording", snap=False))
    assert r.status_code == 200, r.text
    stored = plan_clip()
    assert stored["windows"] == [{"start_seconds": approx(13.0, abs=0.05),
                                  "end_seconds": approx(22.0, abs=0.05)}]  # fmt: skip
    shown = r.json()["items"][1]["clips"][-1]
    assert shown["windows"][0]["recording_start_seconds"] == approx(19.0, abs=0.01)
    assert shown["windows"][0]["recording_end_seconds"] == approx(28.0, abs=0.01)
    # Across the cut: one window on the plan, two pieces of the recording (the freeze skipped).
    r = client.post(url + "/edits", json=windows(10.0, 22.0, clock="recording", snap=False))
    shown = r.json()["items"][1]["clips"][-1]
    pieces = [(p["start_seconds"], p["end_seconds"]) for p in shown["recording_pieces"]]
    assert pieces == [approx((10.0, FREEZE[0]), abs=0.05), approx((FREEZE[1], 22.0), abs=0.05)]
    assert [(w["start_seconds"], w["end_seconds"]) for w in plan_clip()["original_windows"]] == (
        pieces
    )
    # The plan's own clock still works; refusals name the problem.
    assert client.post(url + "/edits", json=windows(13.0, 22.0, snap=False)).status_code == 200
    assert plan_clip()["original_windows"][0]["start_seconds"] == approx(19.0, abs=0.05)
    for body, message in (
        (windows(13.0, 17.0, clock="recording"), "lies in a part of the recording that cleaning"),
        (windows(25.0, 31.0, clock="recording"), "ends after the video (30.00s)"),
        (windows(20.0, 26.0), "ends after the video (24.00s)"),
        (windows(1.0, 2.0, clock="wall"), "clock: Input should be 'cleaned' or 'recording'"),
    ):
        r = client.post(url + "/edits", json=body)
        assert r.status_code == 400 and message in r.json()["detail"], (body, r.text)

    # The clip renders from the recording without the freeze: 2 s before it, 4 s after.
    client.post(url + "/edits", json=windows(10.0, 22.0, clock="recording", snap=False))
    for other in (c for i in view["items"] for c in i["clips"] if c["id"] != clip["id"]):
        client.post(url + "/edits", json={"kind": "keep", "clip_id": other["id"], "keep": False})
    assert client.post(url + "/render").status_code == 202
    snap = wait_for(client, job_id)
    assert [o["clip_id"] for o in snap["outputs"]] == [clip["id"]], snap
    assert snap["outputs"][0]["duration_seconds"] == approx(6.0, abs=0.3)
