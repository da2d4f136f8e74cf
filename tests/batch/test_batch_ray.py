"""`clipora batch --executor ray` on a real Ray: one node started by the batch, a two-node
cluster on this machine, a worker killed during a clip render, and the shared-storage check."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from batch_support import PRODUCTS, User, by_name, make_recording, wait_for_process

RENDER_WORKER = "ray::clipora render_clip"


def rendered_on(user: User, rec: dict[str, object]) -> set[str]:
    """Where each clip of a recording was rendered (from its job's execution result)."""
    job = user.workdir / str(rec["job_dir"])
    result = json.loads((job / "renders" / "execution_result.json").read_text())
    return {a["metadata"].get("rendered_on", "") for a in result["artifacts"]}


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """720p30 with two products: its clips take long enough to render to be killed mid-way."""
    d = tmp_path_factory.mktemp("big")
    return make_recording(d / "big.mp4", PRODUCTS[2:4], size="1280x720", rate=30)


def test_one_node_with_a_render_worker_killed(shop: Path, big: Path, tmp_path: Path) -> None:
    user = User(
        tmp_path / "seller",
        extra="batch:\n  ray:\n    num_cpus: 2\nrender_subtitles:\n  mode: both\n"
        "render:\n  playback_speed: 1.2\n",
    )
    proc = user.popen("batch", shop / "day1.mp4", big, "--executor", "ray", log=tmp_path / "b.log")
    try:
        victim = wait_for_process(RENDER_WORKER, timeout=240, alive_for=0.3)
        os.kill(victim, signal.SIGKILL)
        rc = proc.wait(timeout=600)
    finally:
        proc.kill()
    log = (tmp_path / "b.log").read_text()
    assert rc == 0, log
    assert "ray (started on this machine): 1 node, 2 CPUs" in log
    assert "Traceback" not in log
    recs = by_name(user.report())
    for name in ("day1.mp4", "big.mp4"):
        rec = recs[name]
        assert rec["outcome"] == "done", rec
        assert len(rec["clips"]) >= 2 and all(c["ok"] for c in rec["clips"]), rec
        for clip in rec["clips"]:
            assert (user.workdir / clip["path"]).is_file()
            assert (user.workdir / clip["subtitled_path"]).is_file()
        # Every clip was a Ray task of its own, not a thread of the recording's worker.
        workers = rendered_on(user, rec)
        assert all(w.startswith(os.uname().nodename + "/") for w in workers), workers


@pytest.fixture
def two_nodes() -> Iterator[str]:
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 2})
    cluster.add_node(num_cpus=2)
    cluster.wait_for_nodes()
    try:
        yield cluster.address
    finally:
        cluster.shutdown()


def test_two_nodes_share_the_work(shop: Path, tmp_path: Path, two_nodes: str) -> None:
    user = User(tmp_path / "seller", extra="batch:\n  cpus_per_recording: 1\n")
    res = user.run("batch", shop, "--executor", "ray", "--address", two_nodes, timeout=600)
    assert res.rc == 1, res.describe()  # broken.mp4
    assert f"ray (cluster {two_nodes}): 2 nodes, 4 CPUs" in res.err, res.err
    recs = by_name(user.report())
    done = [r for r in recs.values() if r["outcome"] == "done"]
    assert len(done) == 3
    nodes = {r["host"] for r in done}
    for rec in done:
        nodes |= rendered_on(user, rec)
    assert len(nodes) == 2, nodes  # both nodes ran recordings or clips


def test_a_path_a_node_cannot_see_is_refused(tmp_path: Path) -> None:
    import ray
    from clipora_core.api import InputError
    from clipora_executor_ray.executor import RayExecutor
    from clipora_executor_ray.settings import RaySettings

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        executor = RayExecutor(RaySettings())
        assert not executor.started  # joined the Ray the test started
        (tmp_path / "here.mp4").write_bytes(b"x")
        executor.check_shared([tmp_path / "here.mp4"])
        with pytest.raises(InputError, match="is not visible on Ray node") as err:
            executor.check_shared([tmp_path / "here.mp4", tmp_path / "elsewhere.mp4"])
        assert "elsewhere.mp4" in err.value.one_line()
        assert "same path" in err.value.one_line()
    finally:
        ray.shutdown()
