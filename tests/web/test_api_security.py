"""What the server refuses: foreign or malformed job ids, files outside a job's outputs,
cross-site requests, other Host names, missing tokens, and secrets going to the browser."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from web_support import BASE, SECRET, upload, wait_for, write_config


@pytest.fixture
def done_job(make_client, media):
    client = make_client()
    job_id = upload(client, media["video"], media["srt"]).json()["job_id"]
    snap = wait_for(client, job_id)
    assert snap["status"] == "completed", snap
    return client, snap


def test_job_ids_are_validated(done_job, tmp_path):
    client, snap = done_job
    for bad in ("ABCDEF123456", "..", "_uploads", "*", "0123456789abc", "%2e%2e%2f%2e%2e"):
        r = client.get(f"/api/jobs/{bad}")
        assert r.status_code in (404, 422), bad
    assert client.get("/api/jobs/000000000000").status_code == 404
    # A folder with a job-like name but no manifest is not a job.
    (tmp_path / "workdir" / "aaaaaaaaaaaa").mkdir()
    assert client.get("/api/jobs/aaaaaaaaaaaa").status_code == 404
    assert client.get("/jobs/aaaaaaaaaaaa", headers={"accept": "text/html"}).status_code == 404
    assert client.post("/api/jobs/000000000000/stop").status_code == 404
    assert client.post("/api/jobs/000000000000/rerun", json={}).status_code == 404


def test_downloads_serve_only_the_jobs_own_outputs(done_job, tmp_path):
    client, snap = done_job
    job_id = snap["job_id"]
    for url in (
        f"/api/jobs/{job_id}/outputs/-1",
        f"/api/jobs/{job_id}/outputs/99",
        f"/api/jobs/{job_id}/outputs/0/subtitles/..%2F..%2Fmanifest.json",
        f"/api/jobs/{job_id}/outputs/0/subtitles/txt",
        f"/api/jobs/{job_id}/files/..%2Fmanifest.json",
        f"/api/jobs/{job_id}/files/manifest",
        f"/api/jobs/{job_id}/outputs/..%2F..%2F..%2Fetc%2Fpasswd",
        f"/api/jobs/..%2F{job_id}/outputs/0",
    ):
        r = client.get(url)
        assert r.status_code in (404, 422), url
        assert b"root:" not in r.content

    # A job whose render result was tampered with to list files outside its folder.
    workdir = tmp_path / "workdir"
    src = workdir / job_id
    forged_id = "f0f0f0f0f0f0"
    forged = workdir / forged_id
    shutil.copytree(src, forged, ignore=shutil.ignore_patterns(".lock"))
    manifest = json.loads((forged / "manifest.json").read_text())
    manifest["job_id"] = forged_id
    (forged / "manifest.json").write_text(json.dumps(manifest))
    result_path = forged / "renders" / "execution_result.json"
    result = json.loads(result_path.read_text())
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("top secret")
    os.symlink(secret_file, forged / "renders" / "link.mp4")
    result["artifacts"][0]["output_path"] = str(secret_file)
    result["artifacts"][1]["output_path"] = str(
        src / "renders" / Path(result["artifacts"][1]["output_path"]).name
    )
    result["artifacts"][0]["subtitle_paths"] = {"vtt": "../../secret.txt"}
    result_path.write_text(json.dumps(result))
    view = client.get(f"/api/jobs/{forged_id}").json()
    assert [o["success"] for o in view["outputs"]] == [False, False]
    for i in (0, 1):
        assert client.get(f"/api/jobs/{forged_id}/outputs/{i}").status_code == 404
    assert client.get(f"/api/jobs/{forged_id}/outputs/0/subtitles/vtt").status_code == 404
    result["artifacts"][0]["output_path"] = str(forged / "renders" / "link.mp4")  # symlink out
    result_path.write_text(json.dumps(result))
    r = client.get(f"/api/jobs/{forged_id}/outputs/0")
    assert r.status_code == 404 and b"top secret" not in r.content


def test_cross_site_requests_and_foreign_hosts_are_refused(done_job, tmp_path):
    client, snap = done_job
    job_id = snap["job_id"]
    config = tmp_path / "clipora.yaml"
    before = config.read_text()
    evil = {"Origin": "http://evil.example"}
    assert client.post(f"/api/jobs/{job_id}/rerun", json={}, headers=evil).status_code == 403
    r = client.post(
        "/api/config",
        json={"values": {"analysis.live_commerce.provider.base_url": "http://evil.example/v1"}},
        headers=evil,
    )
    assert r.status_code == 403
    r = client.post(
        "/config",
        data={"analysis.live_commerce.provider.base_url": "http://evil.example/v1"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert r.status_code == 403
    r = client.post(
        "/config",
        data={"analysis.live_commerce.provider.base_url": "http://evil.example/v1"},
        headers={"Referer": "http://evil.example/page"},
    )
    assert r.status_code == 403
    assert (
        client.post("/api/jobs", data={"server_path": "x"}, headers={"Origin": "null"}).status_code
        == 403
    )
    assert config.read_text() == before
    # Same origin passes the check (and then fails for its own reason: nothing to stop).
    r = client.post(f"/api/jobs/{job_id}/stop", headers={"Origin": BASE})
    assert r.status_code == 409
    # DNS rebinding: a page on another name that resolves to 127.0.0.1 gets nothing.
    r = client.get("/api/config", headers={"Host": "rebind.evil.example:8000"})
    assert r.status_code == 400
    assert client.get("/api/jobs", headers={"Host": "localhost:8000"}).status_code == 200


def test_token_is_required_on_every_request(make_client, media, tmp_path):
    from clipora_core.errors import ConfigError
    from clipora_web.app import create_app

    with pytest.raises(ConfigError, match="needs an access token"):
        create_app(write_config(tmp_path), bind_host="0.0.0.0")
    token = "t0ken-for-tests-1234567890"
    client = make_client(bind_host="0.0.0.0", token=token, base_url="http://192.0.2.10:8000")
    assert client.get("/health").status_code == 200
    for path in ("/", "/api/jobs", "/api/config", "/openapi.json", "/static/app.css"):
        assert client.get(path).status_code == 401, path
    assert (
        client.get(
            "/api/jobs", headers={"Authorization": "Bearer wrong-token-000000000"}
        ).status_code
        == 401
    )
    assert client.get("/api/jobs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/jobs", headers={"X-Clipora-Token": token}).status_code == 200
    assert client.get("/?token=nope", follow_redirects=False).status_code == 401
    r = client.get(f"/jobs?token={token}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/jobs"
    assert "HttpOnly" in r.headers["set-cookie"] and "SameSite=Strict" in r.headers["set-cookie"]
    assert client.get("/api/jobs").status_code == 200  # the cookie now carries it
    page = client.get("/", headers={"accept": "text/html"})
    assert token not in page.text


def test_secrets_never_reach_the_browser(make_client, tmp_path, monkeypatch):
    env_secret = "env-secret-9d8c7b6a5f4e"
    monkeypatch.setenv("CLIPORA_ASR__ALIYUN__ACCESS_KEY_SECRET", env_secret)
    monkeypatch.setenv("CLIPORA_RENDER__PLAYBACK_SPEED", "1.1")
    client = make_client()
    config = tmp_path / "clipora.yaml"
    for path in ("/api/config", "/config", "/api/jobs", "/openapi.json", "/plugins", "/"):
        text = client.get(path).text
        assert SECRET not in text and env_secret not in text, path
    state = client.get("/api/config").json()
    fields = {f["path"]: f for s in state["sections"] for f in s["fields"]}
    key = fields["analysis.live_commerce.provider.api_key"]
    assert (
        key["secret"]
        and key["secret_set"]
        and key["value"] is None
        and key["effective_value"] is None
    )
    env_field = fields["asr.aliyun.access_key_secret"]
    assert env_field["secret_set"] and env_field["env_override"]
    speed = fields["render.playback_speed"]
    assert speed["env_override"] and speed["effective_value"] == 1.1 and speed["value"] == 1.0
    assert speed["env_var"] == "CLIPORA_RENDER__PLAYBACK_SPEED"

    # Empty secret keeps it; numbers are stored as numbers; only changed keys are written.
    r = client.post(
        "/api/config",
        json={
            "values": {
                "analysis.live_commerce.provider.api_key": "",
                "render.ffmpeg.crf": "20",
                "cleaning.enabled": "true",
                "render.ffmpeg.preset": "veryfast",
            }
        },
    )
    assert r.status_code == 200, r.text
    data = yaml.safe_load(config.read_text())
    assert data["analysis"]["live_commerce"]["provider"]["api_key"] == SECRET
    assert data["render"] == {"ffmpeg": {"crf": 20}}
    assert data["cleaning"]["enabled"] is True
    assert SECRET not in r.text
    # Invalid values are refused and nothing is written.
    before = config.read_text()
    r = client.post("/api/config", json={"values": {"render.playback_speed": "9"}})
    assert r.status_code == 422 and "render.playback_speed" in r.json()["fields"]
    r = client.post("/api/config", json={"values": {"render.no_such_key": 1}})
    assert r.status_code == 400 and "unknown config key" in r.json()["detail"]
    assert config.read_text() == before
    # A new secret replaces it; clearing removes it.
    client.post(
        "/api/config",
        json={"values": {"analysis.live_commerce.provider.api_key": "sk-new-value-123"}},
    )
    assert (
        yaml.safe_load(config.read_text())["analysis"]["live_commerce"]["provider"]["api_key"]
        == "sk-new-value-123"
    )
    assert "sk-new-value-123" not in client.get("/api/config").text
    client.post("/api/config", json={"clear_secrets": ["analysis.live_commerce.provider.api_key"]})
    assert "api_key" not in (
        yaml.safe_load(config.read_text())["analysis"]["live_commerce"].get("provider") or {}
    )
    assert (
        client.post("/api/config", json={"clear_secrets": ["render.ffmpeg.crf"]}).status_code == 400
    )


def test_refusals_answer_a_page_to_a_browser(make_client, tmp_path):
    """The security layer's refusals: JSON for a script, as before; for a browser asking for
    HTML a page in the reader's language with the other language under it, no server detail."""
    html = {"accept": "text/html,application/xhtml+xml"}
    zh = {**html, "accept-language": "zh-CN,zh;q=0.9"}

    def page(r, status: int, lang: str, *words: str) -> None:
        assert r.status_code == status and r.headers["content-type"].startswith("text/html")
        assert r.text.startswith(f'<!doctype html><html lang="{lang}">'), r.text[:200]
        assert all(w in r.text for w in words), r.text
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert str(tmp_path) not in r.text and "Traceback" not in r.text

    token = "t0ken-for-tests-1234567890"
    client = make_client(bind_host="0.0.0.0", token=token, base_url="http://192.0.2.10:8000")
    r = client.get("/jobs", headers=zh)
    page(r, 401, "zh-CN", "请求被拒绝", "需要访问令牌", "Request refused", "needs its access token")
    assert r.text.index("需要访问令牌") < r.text.index("needs its access token")  # reader's first
    page(client.get("/?token=nope", headers=html), 401, "en", "access token in the link is wrong")
    assert client.get("/?token=nope", headers=zh, follow_redirects=False).status_code == 401
    r = client.get("/api/jobs")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"  # a script: JSON

    client = make_client()
    rebound = {"Host": "rebind.evil.example:8000"}
    page(client.get("/", headers={**zh, **rebound}), 400, "zh-CN", "只响应它自己的地址")
    page(client.get("/?lang=en", headers={**zh, **rebound}), 400, "en", "its own address")
    r = client.get("/api/config", headers=rebound)
    assert r.status_code == 400 and r.json()["code"] == "bad_host"
    evil = {"Origin": "http://evil.example"}
    r = client.post("/config", data={"asr.mode": "local"}, headers={**html, **evil})
    page(r, 403, "en", "came from another website", "来自别的网站")
    client.cookies.set("lang", "zh-CN")
    r = client.post("/jobs/000000000000/stop", headers={**html, **evil})
    page(r, 403, "zh-CN", "已拒绝：这个请求来自别的网站")
    r = client.post("/api/jobs/000000000000/stop", headers=evil)
    assert r.status_code == 403 and r.json() == {
        "code": "cross_origin",
        "detail": "cross-site request refused",
    }
