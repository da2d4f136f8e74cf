"""Safe settings and requests: every saved value is checked by the CLI's settings model, bodies
are capped (413 with a clear message), no error names a server path, unknown addresses get a
page in the reader's language, and the language can be chosen."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlencode

import yaml
from clipora_web.limits import strip_paths
from web_support import upload

ZH = {"accept-language": "zh-CN,zh;q=0.9,en;q=0.8", "accept": "text/html"}
TEMPLATES = Path(__file__).parents[2] / "plugins/web/src/clipora_web/templates"


def test_config_values_are_validated_like_the_cli(make_client, tmp_path):
    client = make_client()
    config = tmp_path / "clipora.yaml"
    before = config.read_text()
    refused = {
        "asr.mode": "rm -rf",  # a backend no plugin registered
        "render_subtitles.mode": "loud",  # not one of the options
        "render.ffmpeg.crf": "99",  # out of range
        "render.ffmpeg.threads": "four",  # not a number
        "render.cover.enabled": "maybe",  # not a yes/no
        "render.ffmpeg.aspect": "tall",  # the field's own check
    }
    for key, value in refused.items():
        r = client.post("/api/config", json={"values": {key: value}})
        assert r.status_code == 422, (key, r.text)
        body = r.json()
        assert body["code"] == "invalid_config" and list(body["fields"]) == [key], body
        assert str(tmp_path) not in r.text
    assert config.read_text() == before
    r = client.post("/api/config", json={"values": {"asr.mode": "local", "render.ffmpeg.crf": 30}})
    assert "aliyun" in client.post("/api/config", json={"values": {"asr.mode": "x"}}).text
    assert r.status_code == 200
    data = yaml.safe_load(config.read_text())
    assert data["asr"]["mode"] == "local" and data["render"]["ffmpeg"]["crf"] == 30

    # The settings form shows each refusal next to its field, in the reader's language.
    r = client.post(
        "/config",
        content=urlencode({"render.ffmpeg.crf": "99", "asr.mode": "local"}),
        headers={**ZH, "content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 422
    assert re.search(r'id="err-render.ffmpeg.crf"[^>]*>不能大于 51<', r.text), r.text[-3000:]
    assert 'value="99"' in r.text  # shown as typed


def test_request_bodies_are_capped(make_client, tmp_path):
    client = make_client()
    config = tmp_path / "clipora.yaml"
    before = config.read_text()
    huge = b'{"values": {"analysis.products": ["' + b"x" * (13 * 1024 * 1024) + b'"]}}'
    r = client.post("/api/config", content=huge, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "too large" in r.json()["detail"]
    assert config.read_text() == before

    def chunks():  # no Content-Length: counted as it arrives
        yield b'{"values": {"analysis.products": ["'
        for _ in range(64):
            yield b"y" * 4096
        yield b'"]}}'

    r = client.post("/api/config", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert config.read_text() == before
    r = client.post(
        "/api/jobs/000000000000/rerun",
        content=b'{"from_stage": "' + b"z" * 100_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413
    r = client.post(
        "/config",
        content=urlencode({"asr.hotwords": "w," * 100_000}),
        headers={"content-type": "application/x-www-form-urlencoded", **ZH},
    )
    assert r.status_code == 413 and "请求内容太大" in r.text
    started = time.monotonic()
    assert client.get("/").status_code == 200
    assert time.monotonic() - started < 5


def test_errors_never_show_server_paths(make_client, media, tmp_path):
    client = make_client()
    secret_dirs = (str(tmp_path), str(media["folder"]))
    answers = [
        upload(client, media["not_video"]),
        client.post("/api/jobs", data={"server_path": "/etc/passwd"}),
        client.post("/api/jobs", data={"server_path": str(media["folder"] / "missing.mp4")}),
        client.post("/api/config", json={"values": {"render.playback_speed": 9}}),
        client.post(
            "/jobs",
            files={"video": ("notes.mp4", media["not_video"].read_bytes(), "video/mp4")},
            headers={"accept": "text/html"},
        ),
    ]
    for r in answers:
        assert r.status_code in (400, 422), r.text
        # A page may list the allowed folders; its error line may not name any path.
        error = re.search(r'id="form-error">(.*?)</p>', r.text)
        told = error.group(1) if error else r.text
        assert not any(d in told for d in secret_dirs), told
        assert "/etc/" not in told and "notes.mp4" in answers[0].json()["detail"]
    assert strip_paths("cannot read /srv/shop/in/a b.mp4 or C:\\rec\\x.flv") == (
        "cannot read a b.mp4 or x.flv"
    )
    assert strip_paths("send it to POST /api/batches") == "send it to POST /api/batches"


def test_friendly_error_pages_favicon_and_language(make_client):
    client = make_client()
    r = client.get("/no/such/page", headers=ZH)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in r.text and "找不到这个页面" in r.text
    assert "Page not found" in client.get("/nope", headers={"accept": "text/html"}).text
    assert client.get("/api/nope").json()["code"] == "not_found"
    assert "没有这个任务" in client.get("/jobs/000000000000", headers=ZH).text
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert 'rel="icon"' in client.get("/").text

    home = client.get("/", headers=ZH).text
    assert "新建任务" in home and "发布设置" in home and "竖屏 9:16" in home
    assert "config:" not in home and ">sidecar_only<" not in home
    assert "New job" in client.get("/?lang=en", headers=ZH).text
    r = client.get("/lang/en?next=/jobs", headers=ZH, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/jobs"
    assert "lang=en" in r.headers["set-cookie"]
    assert "<h1>Jobs</h1>" in client.get("/jobs", headers=ZH).text  # the cookie wins
    assert "<h1>任务列表</h1>" in client.get("/lang/zh-CN?next=/jobs").text
    r = client.get("/lang/en?next=//evil.example/x", follow_redirects=False)
    assert r.headers["location"] == "/"


def test_every_message_a_template_uses_exists():
    from clipora_web.i18n import JS_KEYS, PAGE_JS_PREFIXES
    from clipora_web.messages import EN, ZH

    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']\s*[,)]""", template.read_text()))
    assert "review.title" in used  # the review page's words are in the shared catalogue
    # A script's words: tr("key") in review.js, messages["key"] in job.js; each must reach
    # its page through <body data-i18n> (JS_KEYS, or the page's own prefix).
    delivered = {"review.js": PAGE_JS_PREFIXES["review.html"], "job.js": ()}
    for script in (TEMPLATES.parent / "static").glob("*.js"):
        keys = set(
            re.findall(r"""\b(?:tr\(|messages\[)\s*["']([a-z0-9_.]+)["']""", script.read_text())
        )
        prefixes = delivered.get(script.name, ())
        missing = [
            k for k in keys if k not in JS_KEYS and not (prefixes and k.startswith(prefixes))
        ]
        assert not missing, (script.name, missing)
        used |= keys
    assert used and not sorted(used - set(EN))
    assert not sorted(k for k in used if k not in ZH and EN[k])  # Chinese for every word used
    assert not [
        k for k in EN if k.startswith(("review.", "security.", "detail.", "score.")) and k not in ZH
    ]
