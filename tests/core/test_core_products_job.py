"""The product list in a job: ``--products`` through the real CLI (a bad list fails before any
job folder exists), the stored copy that later commands reuse, the discovery fingerprint, the
hotwords an ASR backend receives and the list an analyzer sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clipora_core.capabilities import AnalyzerContext, ASRRequest
from clipora_core.contracts import DiscoveredInterval, Product, ProductList, Transcript
from clipora_test_fakes.impl import FakeASR, FakeVideoType
from core_support import clean_environ, last_line, manifest, stage_status

from clipora_core import Capability, Kind, hookimpl

HERE = "test_core_products_job"
LIST_A = "保温杯 | 保温瓶\n面霜\n"
LIST_B = "保温杯\n蓝牙耳机 | 耳机\n"


# --- capabilities that record what the core hands them ----------------------------------------


class RecordingASR(FakeASR):
    def transcribe(self, request: ASRRequest) -> Transcript:
        (request.scratch_dir / "hotwords.json").write_text(
            json.dumps(request.hotwords, ensure_ascii=False), encoding="utf-8"
        )
        return super().transcribe(request)


def _names(ctx: AnalyzerContext) -> list[str] | None:
    return None if ctx.products is None else [p.name for p in ctx.products.products]


class RecordingVideoType(FakeVideoType):
    def discover(self, ctx: AnalyzerContext) -> Any:
        result = super().discover(ctx)
        result.debug["products"] = _names(ctx)
        return result

    def cluster(self, ctx: AnalyzerContext, intervals: list[DiscoveredInterval]) -> Any:
        result = super().cluster(ctx, intervals)
        result.debug["products"] = _names(ctx)
        return result

    def analyze_item(self, ctx: AnalyzerContext, item: Any) -> Any:
        segments = super().analyze_item(ctx, item)
        for seg in segments:
            seg.metadata["products"] = _names(ctx)
        return segments


class Recorders:
    @hookimpl
    def register_asr_backends(self, register: Any) -> None:
        register(
            Capability(
                kind=Kind.ASR,
                name="recording",
                description="records the request's hotwords",
                factory=f"{HERE}:RecordingASR",
                options="fakes",
            )
        )

    @hookimpl
    def register_video_types(self, register: Any) -> None:
        register(
            Capability(
                kind=Kind.VIDEO_TYPE,
                name="recording_vt",
                description="records the product list it is given",
                factory=f"{HERE}:RecordingVideoType",
                options="fakes",
            )
        )


@pytest.fixture
def recorders(fakes: Any, register_plugin: Callable[..., Any]) -> Any:
    return register_plugin(Recorders(), name="recorders")


@pytest.fixture
def config(recorders: Any, fake_config: Callable[..., Path]) -> Callable[..., Path]:
    def make(**extra: Any) -> Path:
        return fake_config(
            **{"asr.mode": "recording", "analysis.video_type": "recording_vt", **extra}
        )

    return make


def _job(res: Any) -> Path:
    assert res.exit_code == 0, res.stderr
    return Path(last_line(res.stdout))


def _finished(job: Path) -> dict[str, str | None]:
    return {name: s["finished_at"] for name, s in manifest(job)["stages"].items()}


def _read(job: Path, rel: str) -> Any:
    return json.loads((job / rel).read_text(encoding="utf-8"))


def _list(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the stored list and its reuse -------------------------------------------------------------


def test_the_job_keeps_the_list_and_later_commands_reuse_it(
    config, fake_video, cli_run, tmp_path: Path
) -> None:
    cfg = config()
    list_a = _list(tmp_path, "a.txt", LIST_A)
    res = cli_run("run", fake_video, "--products", list_a, "--config", cfg)
    job = _job(res)
    assert "[clipora] product list: 2 products from a.txt" in res.stderr
    stored = _read(job, "inputs/products.json")
    assert stored["source"] == "a.txt" and stored["schema_version"] == 1
    assert [p["name"] for p in stored["products"]] == ["保温杯", "面霜"]
    summary = manifest(job)["products"]
    digest = ProductList.model_validate(stored).digest()
    assert summary == {"count": 2, "source": "a.txt", "digest": digest}
    # Every analyzer stage was given the list.
    assert _read(job, "semantic/window_plans.json")["products"] == ["保温杯", "面霜"]
    assert _read(job, "semantic/cluster_plan.json")["products"] == ["保温杯", "面霜"]
    plan = _read(job, "analysis/edit_plan.json")
    assert {tuple(s["metadata"]["products"]) for s in plan["segments"]} == {("保温杯", "面霜")}

    # No --products: the stored list is used and nothing reruns.
    before = _finished(job)
    res = cli_run("semantic-discover", job, "--config", cfg)
    assert _job(res) == job and "product list" not in res.stderr
    assert _finished(job) == before
    res = cli_run("analyze-item", job, "--semantic-item-id", "semantic-item-001", "--config", cfg)
    assert _job(res) == job
    item = _read(job, "analysis/items/clip-semantic-item-001.json")
    assert item["segments"][0]["metadata"]["products"] == ["保温杯", "面霜"]

    # The same products from another file: the source is updated, no stage reruns.
    cli_run("run", job, "--config", cfg)
    before = _finished(job)
    same = _list(tmp_path, "same.txt", "保温杯|保温瓶\n\n面霜\n")
    _job(cli_run("run", job, "--products", same, "--config", cfg))
    assert _finished(job) == before
    assert manifest(job)["products"]["source"] == "same.txt"

    # A different list replaces it: discovery and every later stage run again.
    list_b = _list(tmp_path, "b.txt", LIST_B)
    _job(cli_run("analyze", job, "--products", list_b, "--config", cfg))
    after = _finished(job)
    assert after["inspect"] == before["inspect"]
    for stage in ("semantic_discover", "semantic_cluster", "analyze"):
        assert after[stage] != before[stage], stage
    assert stage_status(job)["render"] == "pending"
    assert manifest(job)["products"]["count"] == 2
    assert _read(job, "semantic/window_plans.json")["products"] == ["保温杯", "蓝牙耳机"]
    log = (job / "logs" / "pipeline.log").read_text(encoding="utf-8")
    assert "product list replaced: 2 products from b.txt" in log


def test_config_lists_apply_and_the_option_wins(
    config, fake_video, cli_run, tmp_path: Path
) -> None:
    _list(tmp_path, "shop.txt", LIST_A)
    cfg = config(**{"analysis.products_file": "shop.txt", "analysis.products": ["x"]})
    res = cli_run("run", fake_video, "--config", cfg)
    job = _job(res)
    assert "analysis.products is ignored" in res.stderr
    assert manifest(job)["products"]["source"] == "shop.txt"
    option = _list(tmp_path, "b.txt", LIST_B)
    _job(cli_run("semantic-cluster", job, "--products", option, "--config", cfg))
    assert manifest(job)["products"]["source"] == "b.txt"
    # Inline config with no file: its list replaces the stored one on the next command.
    inline = config(**{"analysis.products": ["面霜 | 雪花膏"]})
    _job(cli_run("run", job, "--config", inline))
    assert manifest(job)["products"]["source"] == "analysis.products"
    assert _read(job, "semantic/window_plans.json")["products"] == ["面霜"]


# --- fingerprints -------------------------------------------------------------------------------


def _pipeline(job_dir: Path, cfg: Path, host: Any, *sets: str) -> Any:
    from clipora_core.config import load_config
    from clipora_core.engine import Engine
    from clipora_core.workspace import JobWorkspace

    loaded = load_config(cfg, cli_set=list(sets), environ={}, sections=host.config_sections())
    return Engine(job=JobWorkspace.open(job_dir), config=loaded, host=host)


def test_the_list_digest_is_in_the_discovery_fingerprint(
    config, recorders, fake_video, cli_run, tmp_path: Path
) -> None:
    cfg = config()
    job_dir = _job(cli_run("run", fake_video, "--config", cfg))
    pipeline = _pipeline(job_dir, cfg, recorders)
    without = pipeline.fingerprint_for("semantic_discover")
    assert all(pipeline.is_fresh(s) for s in ("semantic_discover", "analyze", "render"))

    list_a = ProductList(source="a.txt", products=[Product(name="保温杯")])
    assert pipeline.job.store_products(list_a) is True
    assert pipeline.fingerprint_for("semantic_discover") != without
    assert not pipeline.is_fresh("semantic_discover")
    _job(cli_run("run", job_dir, "--config", cfg))
    pipeline = _pipeline(job_dir, cfg, recorders)
    assert pipeline.is_fresh("semantic_discover") and pipeline.is_fresh("render")

    # The same products again (another source name): still fresh.
    same = ProductList(source="b.yaml", products=[Product(name="保温杯")])
    assert pipeline.job.store_products(same) is False
    assert pipeline.is_fresh("semantic_discover")
    # Other products: stale; the later stages follow through their upstream fingerprints.
    other = ProductList(source="b.yaml", products=[Product(name="保温杯", aliases=["杯子"])])
    assert pipeline.job.store_products(other) is True
    assert not pipeline.is_fresh("semantic_discover")
    # Turning product hotwords off changes what ASR hears: stale too.
    pipeline.job.store_products(list_a)
    assert pipeline.is_fresh("semantic_discover")
    off = _pipeline(job_dir, cfg, recorders, "asr.product_hotwords=false")
    assert not off.is_fresh("semantic_discover")
    # Naming a list in config is not itself a change: only the stored copy counts.
    named = _pipeline(job_dir, cfg, recorders, "analysis.products=x", "analysis.products_file=y")
    assert named.is_fresh("analyze")


# --- ASR hotwords -------------------------------------------------------------------------------


def test_product_names_reach_the_asr_request_and_its_cache_key(
    config, fake_video, cli_run, tmp_path: Path
) -> None:
    cfg = config(**{"asr.hotwords": ["直播间", "保温杯"]})
    list_a = _list(tmp_path, "a.txt", LIST_A)
    with_list = _job(cli_run("run", fake_video, "--products", list_a, "--config", cfg))
    assert _read(with_list, "semantic/hotwords.json") == ["直播间", "保温杯", "面霜", "保温瓶"]

    # A transcript made with the list is not reused without it, nor the other way round.
    plain = _job(cli_run("run", fake_video, "--config", cfg))
    assert _read(plain, "semantic/hotwords.json") == ["直播间", "保温杯"]
    cache = tmp_path / "workdir" / "_cache" / "asr" / "recording"
    assert len(list(cache.glob("*.json"))) == 2
    again = _job(cli_run("run", fake_video, "--products", list_a, "--config", cfg))
    assert not (again / "semantic" / "hotwords.json").exists()  # served from the cache
    assert "transcript reused from cache" in (again / "logs" / "pipeline.log").read_text("utf-8")

    # asr.product_hotwords=false: the backend gets the configured hotwords only.
    off = _job(
        cli_run(
            "run", fake_video, "--products", list_a, "--config", cfg,
            "--set", "asr.product_hotwords=false", "--set", "asr.cache=false",
        )
    )  # fmt: skip
    assert _read(off, "semantic/hotwords.json") == ["直播间", "保温杯"]
    assert _read(off, "semantic/window_plans.json")["products"] == ["保温杯", "面霜"]


def test_effective_hotwords() -> None:
    from clipora_core.stages.transcribe import effective_hotwords

    products = ProductList(
        products=[Product(name="保温杯", aliases=["保温瓶"]), Product(name="面霜")]
    )
    assert effective_hotwords([" 直播间", "面霜", ""], products) == [
        "直播间",
        "面霜",
        "保温杯",
        "保温瓶",
    ]
    assert effective_hotwords(["直播间"], None) == ["直播间"]


# --- bad lists through the real CLI, with a real video ------------------------------------------


@pytest.fixture(scope="module")
def real_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import imageio_ffmpeg

    path = tmp_path_factory.mktemp("products-media") / "live.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", "testsrc2=s=64x48:r=5:d=2",
            "-f", "lavfi", "-i", "sine=f=440:r=16000:d=2",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


BAD_LISTS: list[tuple[str, str | bytes, str]] = [
    ("products.csv", "name,price\na,1\nb,¥2\nc,abc\n", "products.csv line 4: price 'abc' is not a number"),
    ("products.txt", "# 商品\n保温杯\n面霜\n\n耳机\n\n保温杯 | 杯子\n", "products.txt line 7: duplicate product '保温杯' (first on line 2)"),
    ("products.json", '{"products": [\n  "a",\n  {"name": "b", "start": "2:00", "end": 61}\n]}', "products.json line 3: end 1:01 is before start 2:00"),
    ("products.json", '[\n  "a",\n  "b"\n  "c"\n]', "products.json line 4: not valid JSON"),
    ("products.json", '[\n  "a",\n  {"aliases": ["x"]}\n]', "products.json line 3: missing product name"),
    ("products.yaml", "- a\n- name: b\n  price: 十元\n", "products.yaml line 3: price '十元' is not a number"),
    ("products.yaml", "- a\n- b: [1,\n", "products.yaml line 3: not valid YAML"),
    ("products.yaml", "- a\n- b\x1d\n", "products.yaml line 2: not valid YAML (control character #x001d)"),
    ("products.yml", "- a\n- [b, c]\n", "products.yml line 2: a product must be a name or a mapping"),
    ("products.yaml", "shop: x\n", "products.yaml line 1: expected a list of products or a mapping with a 'products' list"),
    ("products.csv", "product_id,stock\n1,2\n", "products.csv line 1: the header has no 'name' column (columns: 'product_id', 'stock')"),
    ("products.csv", "商品名,价格\n保温杯,1\n,2\n", "products.csv line 3: missing product name"),
    ("products.csv", "name,start,end\na,1:75,\n", "products.csv line 2: start '1:75' is not a time"),
    ("products.csv", "name,start,end\na,0:30,0:30\n", "products.csv line 2: end 30s is the same as start 30s"),
    ("products.csv", "name,price\n保温杯, 500ml,2\n", "products.csv line 2: 3 values but the header has 2 columns"),
    ("products.txt", "保温杯\n| 杯子\n", "products.txt line 2: missing product name before '|'"),
    ("products.txt", "", "products.txt has no products"),
    ("products.txt", "# only a comment\n\n", "products.txt has no products"),
    ("products.json", "", "products.json has no products"),
    ("products.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "products.txt is not a text file"),
    ("products.txt", b"\xff\xff\xff\n", "products.txt is neither UTF-8 nor GB18030 text"),
    ("products.xlsx", b"PK\x03\x04", "products.xlsx: unsupported product list type '.xlsx' (use .txt, .csv, .yaml, .yml or .json"),
]  # fmt: skip


def _one_error_line(res: Any) -> str:
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("[clipora] error: ") and "Traceback" not in res.stderr
    return lines[0].removeprefix("[clipora] error: ")


@pytest.mark.parametrize(("name", "content", "message"), BAD_LISTS)
def test_a_bad_list_fails_before_any_job_exists(
    clipora_host, clipora_config, cli_run, real_video, tmp_path, name, content, message
) -> None:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    res = cli_run("run", real_video, "--products", path, "--config", clipora_config())
    assert res.exit_code == 1
    assert _one_error_line(res).startswith(message)
    assert list((tmp_path / "workdir").iterdir()) == []


def test_missing_unreadable_and_folder_lists(
    clipora_host, clipora_config, cli_run, real_video, tmp_path
) -> None:
    cfg = clipora_config()
    missing = tmp_path / "nowhere.csv"
    res = cli_run("run", real_video, "--products", missing, "--config", cfg)
    assert res.exit_code == 1
    assert _one_error_line(res) == f"product list not found: {missing} (check --products)"
    res = cli_run("run", real_video, "--products", tmp_path, "--config", cfg)
    assert res.exit_code == 1 and "is a folder, not a product list" in _one_error_line(res)
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.txt"
        locked.write_text("保温杯\n", encoding="utf-8")
        locked.chmod(0)
        res = cli_run("run", real_video, "--products", locked, "--config", cfg)
        assert res.exit_code == 1 and "permission denied" in _one_error_line(res)
    assert list((tmp_path / "workdir").iterdir()) == []


def test_a_bad_list_leaves_an_existing_job_untouched(
    clipora_host, clipora_config, cli_run, make_job, real_video, tmp_path
) -> None:
    job = make_job(real_video)
    before = job.manifest_path.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("name,price\na,x\n", encoding="utf-8")
    for command in ("semantic-discover", "semantic-cluster", "analyze", "run"):
        res = cli_run(command, job.root, "--products", bad, "--config", clipora_config())
        assert res.exit_code == 1, command
        assert _one_error_line(res).startswith("bad.csv line 2: price 'x' is not a number")
    res = cli_run(
        "analyze-item", job.root, "--semantic-item-id", "x", "--products", bad,
        "--config", clipora_config(),
    )  # fmt: skip
    assert res.exit_code == 1
    assert job.manifest_path.read_bytes() == before
    assert not (job.root / "inputs").exists()


def test_the_installed_command_prints_one_line(clipora_config, real_video, tmp_path) -> None:
    bad = tmp_path / "products.csv"
    bad.write_text("商品名,价格\n保温杯,129\n面霜,abc\n", encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "clipora_core.cli", "run", str(real_video), "--products", str(bad)]
        + ["--config", str(clipora_config())],
        capture_output=True,
        text=True,
        env=clean_environ(),
        timeout=120,
    )
    assert res.returncode == 1
    assert res.stderr.splitlines() == [
        "[clipora] error: products.csv line 3: price 'abc' is not a number "
        "(write it like 129, ¥129, 129.9 or 129元)"
    ]
    assert res.stdout == ""
    assert list((tmp_path / "workdir").iterdir()) == []
