"""The jobs API end to end with real components: upload -> clips, downloads, reruns, failures,
stop, and a restarted server reading the same workdir."""

from __future__ import annotations

import time
from pathlib import Path

import av
import pytest
from web_support import upload, wait_for


def _probe_seconds(data: bytes, tmp: Path) -> float:
    path = tmp / "clip.mp4"
    path.write_bytes(data)
    with av.open(str(path)) as c:
        assert c.streams.video, "downloaded clip has no video stream"
        return c.duration / 1_000_000


def test_upload_runs_to_clips_and_downloads(make_client, media, tmp_path):
    client = make_client()
    r = upload(
        client,
        media["video"],
        media["srt"],
        name="../直播回放 第1场.mp4",  # a client path part must not survive
        **{"render_subtitles.position_preset": "top"},
    )
    assert r.status_code == 201, r.text
    snap = r.json()
    assert snap["source_name"] == "直播回放 第1场.mp4"
    assert Path(snap["source_path"]).parent.parent == tmp_path / "workdir" / "_uploads"
    assert snap["status"] in ("queued", "running")
    assert snap["overrides"] == {"render_subtitles.position_preset": "top", "asr.mode": "import"}
    snap = wait_for(client, snap["job_id"])
    assert snap["status"] == "completed", snap
    assert snap["error"] is None
    assert [s["status"] for s in snap["stages"]] == ["completed"] * 6
    assert all(s["progress"] == 1.0 for s in snap["stages"])
    stages = {s["name"]: s for s in snap["stages"]}
    assert stages["semantic_cluster"]["detail"] == "items=1 dropped=0"
    assert stages["semantic_cluster"]["detail_text"] == "products: 1, set aside: 0"
    zh = client.get(f"/api/jobs/{snap['job_id']}", headers={"accept-language": "zh-CN"}).json()
    assert {s["name"]: s for s in zh["stages"]}["semantic_cluster"]["detail_text"] == (
        "1 个商品，舍弃 0 个"
    )
    clips = [o for o in snap["outputs"] if o["success"]]
    assert len(clips) == 2 and snap["clips"] == 2
    assert "water bottle" in clips[0]["title"]

    data = client.get(clips[0]["url"]).content
    seconds = _probe_seconds(data, tmp_path)
    assert seconds == pytest.approx(clips[0]["duration_seconds"], abs=0.5)
    assert 20 < seconds < 70

    dl = client.get(clips[0]["url"], params={"download": 1})
    assert dl.headers["content-disposition"].startswith("attachment")
    part = client.get(clips[0]["url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100  # seeking in <video> needs ranges

    vtt = client.get(clips[0]["subtitles"]["vtt"])
    assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT")
    assert "water bottle" in vtt.text.lower()
    srt = client.get(clips[0]["subtitles"]["srt"]).text
    assert "-->" in srt

    plan = client.get(snap["files"]["plan"]).json()
    assert len(plan["segments"]) == 2
    assert client.get(snap["files"]["transcript"]).json()["segments"]

    logs = client.get(f"/api/jobs/{snap['job_id']}/logs", params={"limit": 5}).json()["lines"]
    assert len(logs) == 5 and any("render" in line for line in logs)

    listed = client.get("/api/jobs").json()["items"]
    assert [j["job_id"] for j in listed] == [snap["job_id"]]
    assert listed[0]["status"] == "completed" and listed[0]["clips"] == 2

    # Finished job: the event stream sends one snapshot and ends.
    body = client.get(f"/api/jobs/{snap['job_id']}/events").text
    assert body.startswith("event: snapshot") and body.rstrip().endswith("event: end\ndata: {}")

    # Rerun from render: only render runs again.
    before = {s["name"]: s["finished_at"] for s in snap["stages"]}
    r = client.post(f"/api/jobs/{snap['job_id']}/rerun", json={"from_stage": "render"})
    assert r.status_code == 202 and r.json()["status"] in ("queued", "running")
    again = wait_for(client, snap["job_id"])
    assert again["status"] == "completed"
    after = {s["name"]: s["finished_at"] for s in again["stages"]}
    assert after["analyze"] == before["analyze"]
    assert after["render"] > before["render"]


def test_failed_job_shows_the_reason(make_client, media):
    client = make_client()
    r = upload(client, media["lonely"], **{"asr.mode": "import"})
    assert r.status_code == 201, r.text
    snap = wait_for(client, r.json()["job_id"])
    assert snap["status"] == "failed"
    assert "found no transcript" in snap["error"]
    stage = {s["name"]: s for s in snap["stages"]}["semantic_discover"]
    assert stage["status"] == "failed" and "found no transcript" in stage["error"]
    assert snap["can_rerun"] and not snap["can_stop"]
    assert client.post(f"/api/jobs/{snap['job_id']}/stop").status_code == 409


def test_server_file_job_and_media_dirs(make_client, media, tmp_path):
    client = make_client()
    r = client.post("/api/jobs", data={"server_path": str(media["video"])})
    assert r.status_code == 201, r.text
    assert r.json()["from_web"] and r.json()["source_path"] == str(media["video"])
    assert wait_for(client, r.json()["job_id"])["status"] == "completed"  # product.srt beside it

    outside = tmp_path / "elsewhere.mp4"
    outside.write_bytes(media["video"].read_bytes())
    for bad in (str(outside), "../../../etc/passwd", "/etc/passwd"):
        r = client.post("/api/jobs", data={"server_path": bad})
        assert r.status_code == 400, (bad, r.text)
        assert "outside the folders" in r.json()["detail"]
    r = client.post("/api/jobs", data={"server_path": str(media["folder"] / "missing.mp4")})
    assert r.status_code == 400 and "not found" in r.json()["detail"]


def test_upload_limit_and_non_video_are_rejected(make_client, media, tmp_path):
    client = make_client(max_upload_mb=1)
    workdir = tmp_path / "workdir"
    big = media["video"]
    assert big.stat().st_size > 1024 * 1024
    r = upload(client, big, media["srt"])
    assert r.status_code == 413, r.text
    assert "limit of 1 MiB" in r.json()["detail"]

    client = make_client(max_upload_mb=50)
    r = upload(client, media["not_video"])
    assert r.status_code == 400
    assert "not a video file" in r.json()["detail"]
    r = client.post("/api/jobs", files={"video": ("empty.mp4", b"", "video/mp4")})
    assert r.status_code == 400
    r = client.post(
        "/api/jobs",
        files={
            "video": ("x.mp4", media["video"].read_bytes(), "video/mp4"),
            "transcript": ("x.exe", b"MZ", "application/octet-stream"),
        },
    )
    assert r.status_code == 400 and "not a subtitle file" in r.json()["detail"]
    r = client.post(
        "/api/jobs", data={"asr.mode": "nonexistent", "server_path": str(media["video"])}
    )
    assert r.status_code == 400 and "not available" in r.json()["detail"]
    r = client.post("/api/jobs", data={"bogus": "1"})
    assert r.status_code == 400
    r = client.post("/api/jobs", json={"server_path": str(media["video"])})
    assert r.status_code == 400

    # Nothing was kept: no job folders, no half-written uploads.
    assert client.get("/api/jobs").json()["items"] == []
    leftovers = (
        [p for p in (workdir / "_uploads").rglob("*") if p.is_file()]
        if (workdir / "_uploads").exists()
        else []
    )
    assert leftovers == []


def test_stop_a_queued_job(make_client, media, tmp_path):
    client = make_client(workers=1)
    first = upload(client, media["video"], media["srt"]).json()["job_id"]
    second = upload(client, media["video"], media["srt"]).json()["job_id"]
    snap = client.get(f"/api/jobs/{second}").json()
    if snap["status"] == "queued":
        assert snap["queue_position"] == 1
        r = client.post(f"/api/jobs/{second}/stop")
        assert r.status_code == 200
        assert r.json()["status"] == "stopped"
        assert all(s["status"] == "pending" for s in r.json()["stages"])
    assert wait_for(client, first)["status"] == "completed"
    time.sleep(1.0)
    assert client.get(f"/api/jobs/{second}").json()["status"] in ("stopped", "completed")


@pytest.mark.slow
def test_stop_a_running_job_interrupts_its_stage(make_client, media, tmp_path):
    """A real slow stage (Whisper on espeak-ng speech), stopped from the API: the stage ends
    ``interrupted`` (never left ``running``) and a resume finishes the job's discovery."""
    from web_media import make_speech_video

    sentence = (
        "Let's start with our first product, this insulated water bottle. "
        "It keeps drinks cold for twenty four hours. Today it's only twenty nine dollars. "
    )
    # About 7 minutes of speech: Whisper base needs far longer than the 0.1 s poll below, so
    # the stop always lands inside semantic_discover, however fast the machine.
    text = sentence * 40
    video = make_speech_video(tmp_path / "speech.mp4", text)
    client = make_client(workers=1)
    job_id = upload(client, video, **{"asr.mode": "local"}).json()["job_id"]
    deadline = time.monotonic() + 60
    while True:
        snap = client.get(f"/api/jobs/{job_id}").json()
        stage = {s["name"]: s["status"] for s in snap["stages"]}
        if stage["semantic_discover"] == "running":
            break
        assert snap["status"] in ("queued", "running"), snap
        assert time.monotonic() < deadline
        time.sleep(0.1)
    r = client.post(f"/api/jobs/{job_id}/stop")
    assert r.status_code == 200 and r.json()["status"] == "stopping"
    snap = wait_for(
        client, job_id, timeout=60
    )  # a hang guard; how fast a stop is is not timed here
    assert snap["status"] == "stopped"
    stages = {s["name"]: s["status"] for s in snap["stages"]}
    assert stages["semantic_discover"] == "interrupted", stages
    assert "running" not in stages.values()
    assert stages["render"] == "pending"


def test_restart_shows_true_states_and_runs_waiting_jobs(make_client, media, tmp_path):
    client = make_client()
    done = upload(client, media["video"], media["srt"]).json()["job_id"]
    assert wait_for(client, done)["status"] == "completed"
    workdir = tmp_path / "workdir"

    # A job whose process died mid-stage (manifest says running, pid gone).
    from clipora_core.workspace import JobWorkspace

    dead = JobWorkspace.create(workdir, media["video"])
    dead.set_stage("clean", "running")
    dead.manifest.stages["clean"].pid = 999_999_999
    dead.write_manifest()
    # A job from a terminal that only ran some stages, and one the previous server had queued.
    partial = JobWorkspace.create(workdir, media["video"])
    partial.set_stage("clean", "completed", "disabled")
    waiting = JobWorkspace.create(workdir, media["video"])
    from clipora_web.submission import WebSubmission, write_submission

    write_submission(
        waiting.root,
        WebSubmission(
            job_id=waiting.job_id, source_name="product.mp4", overrides={"asr.mode": "import"}
        ),
    )

    config = tmp_path / "clipora.yaml"
    restarted = make_client(config)
    states = {j["job_id"]: j["status"] for j in restarted.get("/api/jobs").json()["items"]}
    assert states[done] == "completed"
    assert states[dead.job_id] == "interrupted"
    assert states[partial.job_id] == "incomplete"
    assert states[waiting.job_id] in ("queued", "running", "completed")
    assert wait_for(restarted, waiting.job_id)["status"] == "completed"

    # Resume the dead one: it runs to the end.
    r = restarted.post(f"/api/jobs/{dead.job_id}/rerun", json={})
    assert r.status_code == 202
    assert wait_for(restarted, dead.job_id)["status"] == "completed"
