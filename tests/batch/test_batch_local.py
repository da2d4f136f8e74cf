"""`clipora batch` on this machine (the local executor): a shop's folder, lists, product lists,
reruns, a killed worker and a killed batch."""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest
from batch_support import PRODUCTS, User, by_name, processes, wait_for_process

STAGES = {"clean", "inspect", "semantic_discover", "semantic_cluster", "analyze", "render"}
UNIT = f"{sys.executable} -m clipora_core.units"


def jpeg_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:
        assert im.format == "JPEG"
        return im.size


def clip_mtimes(workdir: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in workdir.glob("*/renders/*.mp4")}


def test_a_shop_folder_gives_clips_a_report_and_a_rerun_skips_finished_work(
    shop: Path, tmp_path: Path
) -> None:
    user = User(tmp_path / "seller")
    res = user.run("batch", shop)
    # The broken file fails alone: exit 1, one line naming it, the others finish.
    assert res.rc == 1, res.describe()
    assert "Traceback" not in res.err, res.describe()
    failed = [ln for ln in res.err.splitlines() if "broken.mp4" in ln]
    assert len(failed) == 1 and failed[0].startswith("[clipora] FAILED broken.mp4: "), res.err
    assert "not a video" in failed[0], failed[0]
    assert "notes.docx" not in res.err  # not a video extension: not a recording
    assert "3 done, 0 finished earlier, 1 failed of 4" in res.err, res.err
    html = Path(res.out.strip().splitlines()[-1])
    assert html == user.workdir / "batch-report.html" and html.is_file()

    report = user.report()
    assert report["schema_version"] == 1
    assert report["counts"]["done"] == 3 and report["counts"]["failed"] == 1
    recs = by_name(report)
    assert set(recs) == {"day1.mp4", "day2.mp4", "day3.mp4", "broken.mp4"}
    assert recs["broken.mp4"]["outcome"] == "failed"
    assert recs["broken.mp4"]["job_dir"] == ""  # no job folder for a file that is no video
    expected = {"day1.mp4": PRODUCTS[0:2], "day2.mp4": PRODUCTS[2:4], "day3.mp4": PRODUCTS[4:6]}
    for name, products in expected.items():
        rec = recs[name]
        assert rec["outcome"] == "done", rec
        assert rec["duration_seconds"] == pytest.approx(60.0, abs=0.2)
        assert set(rec["stage_seconds"]) == STAGES
        assert rec["wall_seconds"] > 0 and rec["cpu_seconds"] > 0
        titles = [c["title"] for c in rec["clips"]]
        for product in products:  # a clip titled after each product (or a word of its name)
            assert any(t and t in product[0] for t in titles), (name, titles)
        for clip in rec["clips"]:
            assert clip["ok"], clip
            assert (user.workdir / clip["path"]).is_file()
            assert clip["duration_seconds"] > 3
            assert set(clip["subtitles"]) == {"srt", "vtt"}
            assert jpeg_size(user.workdir / clip["thumbnail"])[0] == 320

    # The page: every recording, every thumbnail and clip link resolving inside the workdir.
    page = html.read_text(encoding="utf-8")
    for name in recs:
        assert name in page
    srcs = re.findall(r'<img src="([^"]+)"', page)
    hrefs = re.findall(r'<a href="([^"]+\.mp4)"', page)
    assert len(srcs) == sum(len(r["clips"]) for r in recs.values()) >= 6
    for rel in srcs + hrefs:
        assert (user.workdir / rel).is_file(), rel
    assert "not a video" in page

    # Again: nothing is redone, the report still lists everything.
    before = clip_mtimes(user.workdir)
    t0 = time.monotonic()
    again = user.run("batch", shop)
    assert again.rc == 1, again.describe()
    for name in expected:
        assert f"finished earlier: {name}" in again.err
    assert "0 done, 3 finished earlier, 1 failed of 4" in again.err
    assert clip_mtimes(user.workdir) == before
    assert time.monotonic() - t0 < 30
    recs2 = by_name(user.report())
    assert {n: r["outcome"] for n, r in recs2.items()} == {
        "day1.mp4": "skipped",
        "day2.mp4": "skipped",
        "day3.mp4": "skipped",
        "broken.mp4": "failed",
    }
    # What the first run cost stays in the report.
    assert recs2["day1.mp4"]["cpu_seconds"] == recs["day1.mp4"]["cpu_seconds"]
    assert [c["path"] for c in recs2["day1.mp4"]["clips"]] == [
        c["path"] for c in recs["day1.mp4"]["clips"]
    ]


def test_a_list_of_recordings_with_a_product_list_each(shop: Path, tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "day1.txt").write_text("insulated water bottle\nbamboo cutting board\n", "utf-8")
    (lists / "other.csv").write_text("name\nsomething else\n", "utf-8")
    todo = tmp_path / "today.txt"
    todo.write_text(f"# today's recordings\n{shop / 'day1.mp4'}\n\n{shop / 'june'}\n", "utf-8")
    user = User(tmp_path / "seller")
    res = user.run("batch", todo, "--products", lists)
    assert res.rc == 0, res.describe()
    recs = by_name(user.report())
    assert set(recs) == {"day1.mp4", "day3.mp4"}
    assert recs["day1.mp4"]["products"] == ["insulated water bottle", "bamboo cutting board"]
    assert recs["day1.mp4"]["products_source"] == "day1.txt"
    assert recs["day3.mp4"]["products"] == []
    # The list's names become the titles.
    titles = {c["title"] for c in recs["day1.mp4"]["clips"]}
    assert titles == {"insulated water bottle", "bamboo cutting board"}


@pytest.mark.parametrize(
    ("args", "fragments", "rc"),
    [
        (["{tmp}/nowhere"], ["not found", "nowhere"], 1),
        (["{tmp}/empty"], ["no recordings found"], 1),
        (["{shop}/day1.mp4", "--products", "{tmp}/none.csv"], ["product list not found"], 1),
        (["{shop}/notes.docx"], ["is not a video file"], 1),
        (["{shop}/day1.mp4", "--executor", "nosuch"], ["nosuch"], 2),
        (["{shop}/day1.mp4", "--address", "10.0.0.1:6379"], ["does not join a cluster"], 2),
    ],
)
def test_bad_input_gets_one_line(
    shop: Path, tmp_path: Path, args: list[str], fragments: list[str], rc: int
) -> None:
    (tmp_path / "empty").mkdir()
    user = User(tmp_path / "seller")
    res = user.run("batch", *(a.format(tmp=tmp_path, shop=shop) for a in args))
    assert res.rc == rc, res.describe()
    assert "Traceback" not in res.err
    errors = [ln for ln in res.err.splitlines() if ln.startswith("[clipora] error:")]
    assert len(errors) == 1, res.err
    for f in fragments:
        assert f in errors[0], errors[0]
    assert not list(user.workdir.glob("*/manifest.json"))


def test_a_killed_worker_is_retried(shop: Path, tmp_path: Path) -> None:
    user = User(tmp_path / "seller")
    proc = user.popen("batch", shop / "day1.mp4", log=tmp_path / "batch.log")
    try:
        victim = wait_for_process(UNIT, timeout=60, alive_for=1.0)
        os.kill(victim, signal.SIGKILL)
        assert proc.wait(timeout=300) == 0, (tmp_path / "batch.log").read_text()
    finally:
        proc.kill()
    rec = by_name(user.report())["day1.mp4"]
    assert rec["outcome"] == "done" and rec["attempts"] == 2
    assert len(rec["clips"]) >= 2 and all(c["ok"] for c in rec["clips"])


def test_a_unit_whose_workers_keep_dying_fails_alone(shop: Path, tmp_path: Path) -> None:
    user = User(tmp_path / "seller", extra="batch:\n  retries: 1\n")
    proc = user.popen(
        "batch", shop / "day1.mp4", shop / "day2.mp4", "--set", "batch.recordings=1",
        log=tmp_path / "batch.log",
    )  # fmt: skip
    try:
        killed: set[int] = set()
        for _ in range(2):  # the first attempt and its one retry, both of the first recording
            pid = wait_for_process(UNIT, timeout=60, alive_for=1.0)
            while pid in killed:
                pid = wait_for_process(UNIT, timeout=60, alive_for=1.0)
            os.kill(pid, signal.SIGKILL)
            killed.add(pid)
        assert proc.wait(timeout=300) == 1
    finally:
        proc.kill()
    log = (tmp_path / "batch.log").read_text()
    recs = by_name(user.report())
    assert recs["day1.mp4"]["outcome"] == "failed", log
    assert "worker died 2 times" in recs["day1.mp4"]["error"]
    assert "killed by SIGKILL" in recs["day1.mp4"]["error"]
    assert recs["day2.mp4"]["outcome"] == "done"
    # The job itself records the failed stage and why.
    import json

    job = user.workdir / recs["day1.mp4"]["job_dir"]
    stages = json.loads((job / "manifest.json").read_text())["stages"]
    failed = [s for s in stages.values() if s["status"] == "failed"]
    assert len(failed) == 1 and "worker died 2 times" in failed[0]["error"]
    # Rerun: the failed recording goes on where it stopped, the finished one is skipped.
    res = user.run("batch", shop / "day1.mp4", shop / "day2.mp4")
    assert res.rc == 0, res.describe()
    assert {r["outcome"] for r in user.report()["recordings"]} == {"done", "skipped"}


def test_a_killed_batch_continues_when_run_again(shop: Path, tmp_path: Path) -> None:
    user = User(tmp_path / "seller")
    args = ["batch", shop / "day2.mp4", shop / "june"]
    proc = user.popen(*args, log=tmp_path / "batch.log")
    unit = wait_for_process(UNIT, timeout=60, alive_for=1.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    # The worker goes with the batch: nothing keeps a job locked.
    deadline = time.monotonic() + 20
    while any(pid == unit for pid, _ in processes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(pid == unit for pid, _ in processes()), "the unit outlived its batch"
    res = user.run(*args)
    assert res.rc == 0, res.describe()
    recs = by_name(user.report())
    assert {r["outcome"] for r in recs.values()} <= {"done", "skipped"}
    assert all(len(r["clips"]) >= 2 for r in recs.values())
