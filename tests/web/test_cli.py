"""`clipora web` as a command: registered through the plugin hook, cheap to load, safe defaults."""

from __future__ import annotations

import json
import subprocess
import sys

from web_support import write_config


def test_help_does_not_import_the_web_stack():
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "clipora_core.cli", "--help"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "web" in r.stdout
    imported = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if "|" in line}
    heavy = {
        m
        for m in imported
        if m.split(".")[0] in {"fastapi", "uvicorn", "starlette", "jinja2", "python_multipart"}
    }
    assert heavy == set()


def test_web_refuses_a_public_address_without_token(tmp_path):
    config = write_config(tmp_path)
    r = subprocess.run(
        [sys.executable, "-m", "clipora_core.cli", "web", "--config", str(config), "--host", "0.0.0.0"],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert r.returncode == 2
    assert "needs an access token" in r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "clipora_core.cli", "web", "--config", str(config), "--token", "short"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 2 and "at least 16 characters" in r.stderr


def test_plugins_api_matches_the_cli(make_client):
    client = make_client()
    cli = subprocess.run(
        [sys.executable, "-m", "clipora_core.cli", "plugins", "list", "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert client.get("/api/plugins").json() == json.loads(cli.stdout)
    page = client.get("/plugins").text
    for record in json.loads(cli.stdout):
        assert f'data-plugin="{record["plugin"]}"' in page
    assert "asr:import" in page and "web" in [r["plugin"] for r in json.loads(cli.stdout)]


def test_pages_render(make_client):
    client = make_client()
    for path in ("/", "/jobs", "/config", "/plugins"):
        r = client.get(path)
        assert r.status_code == 200 and "<!doctype html>" in r.text.lower(), path
        assert "script-src" not in r.headers["content-security-policy"]  # default-src 'self'
        assert r.headers["x-frame-options"] == "DENY"
    assert client.get("/jobs/000000000000").status_code == 404
    assert client.get("/static/job.js").status_code == 200
