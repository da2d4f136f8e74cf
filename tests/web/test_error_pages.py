"""Bad state on disk and unexpected errors: a job folder whose record (manifest.json) is damaged
gets a clean answer in the reader's language on every page and API that names it, and the pages
that list jobs keep working; an unexpected error gets the friendly 500 page (no traceback, no
server path) or a JSON body."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_support import BASE, upload, wait_for, write_config

ZH = {"accept": "text/html", "accept-language": "zh-CN,zh;q=0.9"}
DAMAGE = {
    "truncated": b'{"job_id": "x", "stages": {',
    "nested": b"[" * 200_000 + b"]" * 200_000,  # once an unhandled RecursionError (500s)
    "not an object": b"[]",
    "not UTF-8": b"\xff\xfe\x00\x01",
}


@pytest.fixture
def damaged(make_client, media, tmp_path):
    client = make_client()
    job_id = upload(client, media["video"], media["srt"]).json()["job_id"]
    assert wait_for(client, job_id)["status"] == "completed"
    return client, job_id, tmp_path / "workdir" / job_id / "manifest.json"


@pytest.mark.parametrize("how", sorted(DAMAGE))
def test_a_damaged_job_gets_a_clean_answer(damaged, tmp_path, how):
    client, job_id, manifest = damaged
    manifest.write_bytes(DAMAGE[how])

    def clean(r, status: int) -> str:
        assert r.status_code == status, (r.request.url, r.text[:300])
        told = r.text.split("<footer>")[0]  # the footer names the work folder, on every page
        assert "Traceback" not in told
        assert status == 200 or str(tmp_path) not in told  # the home page lists its folders
        return r.text

    page = clean(client.get(f"/jobs/{job_id}", headers=ZH), 404)
    assert '<html lang="zh-CN">' in page and f"任务 {job_id} 无法显示" in page
    page = clean(client.get(f"/jobs/{job_id}/review?lang=en", headers=ZH), 404)
    assert '<html lang="en">' in page and "is damaged" in page
    for path in ("/", "/jobs"):  # one bad folder does not take the lists down
        clean(client.get(path, headers=ZH), 200)
    assert clean(client.get("/api/jobs"), 200)
    assert client.get(f"/api/jobs/{job_id}").json()["code"] == "unknown_job"
    for path in (f"/api/jobs/{job_id}/review", f"/api/jobs/{job_id}/download-all"):
        r = client.get(path)
        assert 400 <= r.status_code < 500 and r.json()["detail"], (path, r.text)
        clean(r, r.status_code)


def test_an_unexpected_error_gets_the_friendly_page(media, tmp_path):
    """No bad state found on disk reaches a 500 any more (above), so a route added to the app
    for this test raises the way a bug would, naming a server path."""
    from clipora_web.app import create_app

    app = create_app(write_config(tmp_path), media_dirs=[media["folder"]])

    def boom() -> None:
        raise RuntimeError(f"cannot read {tmp_path}/secret/state.json")

    app.add_api_route("/boom", boom)
    app.add_api_route("/api/boom", boom)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
        r = client.get("/boom", headers=ZH)
        assert r.status_code == 500 and '<html lang="zh-CN">' in r.text
        assert "出错了" in r.text and "终端里的日志" in r.text
        r = client.get("/boom?lang=en", headers=ZH)
        assert r.status_code == 500 and "Something went wrong" in r.text
        api = client.get("/api/boom", headers=ZH)
        assert api.status_code == 500 and api.json()["code"] == "internal_error"
        for told in (client.get("/boom", headers=ZH).text.split("<footer>")[0], api.text):
            assert "Traceback" not in told and str(tmp_path) not in told
            assert "RuntimeError" not in told and "secret" not in told
