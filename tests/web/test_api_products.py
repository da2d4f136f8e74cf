"""The new-job form's product list: a file or the text box, parsed like ``--products`` before any
job exists, stored in the job, kept over the server config's list on every run of the job."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import yaml
from web_support import wait_for, write_config

CSV = "商品名,别名,价格\n保温杯,保温瓶、水杯,¥29\n面霜,,129元\n蓝牙耳机,耳机,$19.9\n"


def _manifest(workdir: Path, job_id: str) -> dict:
    return json.loads((workdir / job_id / "manifest.json").read_text(encoding="utf-8"))


def test_uploaded_list_is_stored_shown_and_kept_over_the_config(make_client, media, tmp_path):
    server_list = tmp_path / "server.txt"
    server_list.write_text("面霜\n", encoding="utf-8")
    client = make_client(write_config(tmp_path, **{"analysis.products_file": str(server_list)}))
    files = {
        "video": ("product.mp4", media["video"].read_bytes(), "video/mp4"),
        "transcript": ("product.srt", media["srt"].read_bytes(), "application/x-subrip"),
        "products": ("商品.csv", CSV.encode("utf-8"), "text/csv"),
    }
    r = client.post("/api/jobs", files=files)
    assert r.status_code == 201, r.text
    snap = r.json()
    assert snap["products"] == 3 and snap["products_source"] == "商品.csv"
    workdir = tmp_path / "workdir"
    root = workdir / snap["job_id"]
    stored = json.loads((root / "inputs" / "products.json").read_text(encoding="utf-8"))
    assert [p["name"] for p in stored["products"]] == ["保温杯", "面霜", "蓝牙耳机"]
    assert stored["products"][0] == {
        "name": "保温杯",
        "aliases": ["保温瓶", "水杯"],
        "price": 29.0,
        "start_seconds": None,
        "end_seconds": None,
    }
    before = _manifest(workdir, snap["job_id"])["products"]
    assert before["count"] == 3 and before["source"] == "商品.csv"
    assert not list(root.parent.glob("_uploads/*/.products*"))  # read, then removed

    done = wait_for(client, snap["job_id"])
    assert done["status"] == "completed", done
    # The run used the job's list, not the server config's products_file.
    assert _manifest(workdir, snap["job_id"])["products"] == before
    assert "--products" in (root / "web" / "run.log").read_text(encoding="utf-8")

    page = client.get(f"/jobs/{snap['job_id']}", headers={"accept": "text/html"}).text
    assert "Product list: 3 products" in page and "商品.csv" in page


def test_text_box_list_for_a_server_file(make_client, media, tmp_path):
    client = make_client()
    r = client.post(
        "/api/jobs",
        data={"server_path": str(media["video"]), "products_text": "保温杯 | 保温瓶\n\n面霜\n"},
    )
    assert r.status_code == 201, r.text
    snap = r.json()
    assert snap["products"] == 2 and snap["products_source"] == "product list text"
    client.post(f"/api/jobs/{snap['job_id']}/stop")
    assert not (tmp_path / "workdir" / "_uploads").exists()  # nothing uploaded, nothing kept
    assert client.get("/api/jobs/" + snap["job_id"]).json()["products"] == 2


def test_bad_lists_are_refused_before_a_job_exists(make_client, media, tmp_path):
    client = make_client()
    video = {"server_path": str(media["video"])}

    def post_file(name: str, content: bytes, **data: str) -> dict:
        r = client.post(
            "/api/jobs", data={**video, **data}, files={"products": (name, content, "text/plain")}
        )
        assert r.status_code in (400, 413), r.text
        return {"status": r.status_code, **r.json()}

    r = client.post("/api/jobs", data={**video, "products_text": "保温杯\n面霜\n保温杯 | 杯子\n"})
    assert r.status_code == 400
    assert r.json()["detail"] == (
        "product list text line 3: duplicate product '保温杯' (first on line 1) "
        "(keep one entry; put other names of the product after '|' as aliases)"
    )
    bad = post_file("../../价目表.csv", b"name,price\na,1\nb,abc\n")
    assert bad["detail"].startswith("价目表.csv line 3: price 'abc' is not a number")
    bad = post_file("p.json", b'[\n"a",\n{"name": "b", "start": 9, "end": 3}]')
    assert bad["detail"].startswith("p.json line 3: end 3s is before start 9s")
    bad = post_file("list.xlsx", b"PK\x03\x04")
    assert "is not a .txt, .csv, .yaml or .json file" in bad["detail"]
    bad = post_file("big.txt", ("保温杯\n" * 200_000).encode("utf-8"))
    assert bad["status"] == 413 and "limit of 1 MiB" in bad["detail"]
    bad = post_file("empty.txt", b"")
    assert "empty" in bad["detail"]
    bad = post_file("gbk.txt", "保温杯\n".encode("gb18030"), products_text="面霜")
    assert "not both" in bad["detail"]
    r = client.post("/api/jobs", data={**video, "products_text": "# nothing\n"})
    assert r.status_code == 400 and r.json()["detail"].startswith("product list text has no")

    # Server paths never reach the user; nothing was created or left behind.
    for detail in (r.json()["detail"], bad["detail"]):
        assert str(tmp_path) not in detail and "/tmp" not in detail
    assert client.get("/api/jobs").json()["items"] == []
    uploads = tmp_path / "workdir" / "_uploads"
    assert not uploads.exists() or not [p for p in uploads.rglob("*") if p.is_file()]


def test_the_form_keeps_the_typed_list_with_the_error(make_client, media):
    client = make_client()
    typed = "保温杯\n面霜 | \n保温杯\n"
    r = client.post(
        "/jobs",
        data={"server_path": str(media["video"]), "products_text": typed},
        headers={"accept": "text/html"},
    )
    assert r.status_code == 400
    assert "product list text line 3: duplicate product" in r.text
    assert f">{typed}</textarea>" in r.text
    assert 'name="products"' in client.get("/").text


def test_config_page_round_trips_an_inline_list(make_client, tmp_path):
    config = write_config(
        tmp_path, **{"analysis.products": ["保温杯 | 保温瓶", {"name": "面霜", "price": 129}]}
    )
    client = make_client(config)
    page = client.get("/config").text
    match = re.search(r'<textarea id="f-analysis.products"[^>]*>(.*?)</textarea>', page, re.S)
    assert match is not None
    shown = html.unescape(match.group(1))
    assert shown.splitlines() == ["保温杯 | 保温瓶", '{"name": "面霜", "price": 129}']
    before = config.read_text(encoding="utf-8")
    r = client.post("/config", data={"analysis.products": shown}, follow_redirects=False)
    assert r.headers["location"] == "/config?saved=0"
    assert config.read_text(encoding="utf-8") == before
    r = client.post(
        "/config", data={"analysis.products": shown + "\n蓝牙耳机"}, follow_redirects=False
    )
    assert r.headers["location"] == "/config?saved=1"
    saved = yaml.safe_load(config.read_text(encoding="utf-8"))["analysis"]["products"]
    assert saved == ["保温杯 | 保温瓶", {"name": "面霜", "price": 129}, "蓝牙耳机"]
