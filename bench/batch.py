#!/usr/bin/env python3
"""`clipora batch` over six recordings: the local executor, Ray on one node, Ray on two nodes.

    uv run python bench/batch.py            # writes bench/results/batch.json and its docs section
    uv run python bench/batch.py --minutes 1 --recordings 2 --no-docs   # a quick look

The recordings are the pipeline benchmark's generator (bench/pipeline.py: a talking host,
a moving pattern, three products, one freeze; 4 minutes) at 720p30, copied under six names with the ASR cache off, so each
one costs a full run. Every case runs the real CLI in a fresh workdir with the same request
(defaults, ``batch.cpus_per_recording=1`` so that each case can run two recordings at once on
two CPUs):

* ``local``: this machine's processes;
* ``ray, 1 node``: a Ray the batch starts (``batch.ray.num_cpus=2``);
* ``ray, 2 nodes``: a two-node cluster on this machine (``ray.cluster_utils.Cluster``, one CPU
  each), joined with ``--address``.

On one machine the three share the same CPUs, so the figures show what Ray costs on top of the
work, not a speed-up; the docs turn the measured per-hour cost into a paper estimate for a
day of an agency on N machines. CPU is the whole machine's busy time during the case (from
``/proc/stat``: the CLI, its workers, ffmpeg, Ray's daemons and workers; run it on a quiet
machine, the load before is recorded), next to the units' own CPU from the batch report.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import pipeline  # noqa: E402

CASES = ("local", "ray, 1 node", "ray, 2 nodes")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (``/proc/stat``): Ray's workers are not our
    descendants once its daemons are stopped, so only this sees all of a Ray case."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def recordings(minutes: float, count: int, folder: Path) -> tuple[list[Path], dict[str, Any]]:
    source, info = pipeline.build_stream(minutes, "1280x720", products=3, freezes=1)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        path = folder / f"shop-{i + 1:02d}.mp4"
        if not path.exists():
            shutil.copyfile(source, path)
        out.append(path)
    return out, info


def run_case(case: str, videos: list[Path], tmp: Path) -> dict[str, Any]:
    home = tmp / case.replace(", ", "-").replace(" ", "")
    workdir = home / "workdir"
    home.mkdir(parents=True)
    config = home / "clipora.yaml"
    config.write_text(
        f"paths:\n  workdir: {json.dumps(str(workdir))}\nasr:\n  cache: false\n"
        "batch:\n  cpus_per_recording: 1\n  ray:\n    num_cpus: 2\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIPORA_")}
    env["CLIPORA_CONFIG"] = str(config)
    args = [*pipeline.clipora_argv(), "batch", *map(str, videos), "-q"]
    cluster = None
    cpu0, machine0, t0 = _children_cpu(), _machine_cpu(), time.monotonic()
    if case == "ray, 2 nodes":
        from ray.cluster_utils import Cluster

        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        args += ["--executor", "ray", "--address", cluster.address]
    elif case == "ray, 1 node":
        args += ["--executor", "ray"]
    try:
        proc = subprocess.run(args, env=env, capture_output=True, text=True)
    finally:
        if cluster is not None:
            cluster.shutdown()
    wall, cpu = time.monotonic() - t0, _machine_cpu() - machine0
    reaped = _children_cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(
            f"{case}: clipora batch failed (rc={proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    report = json.loads((workdir / "batch-report.json").read_text(encoding="utf-8"))
    recs = report["recordings"]
    return {
        "case": case,
        "executor": report["executor"],
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "cpu_seconds_reaped_children": round(reaped, 1),
        "unit_cpu_seconds": round(sum(r["cpu_seconds"] or 0 for r in recs), 1),
        "recordings_done": sum(r["outcome"] == "done" for r in recs),
        "clips": report["counts"]["clips"],
        "hosts": sorted({r["host"] for r in recs}),
        "mean_recording_wall_seconds": round(sum(r["wall_seconds"] for r in recs) / len(recs), 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--minutes", type=float, default=4.0, help="length of each recording")
    ap.add_argument("--recordings", type=int, default=6)
    ap.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="clipora-batch-bench-") as tmp:
        tmpd = Path(tmp)
        videos, info = recordings(args.minutes, args.recordings, tmpd / "recordings")
        load_before = os.getloadavg()[0]
        results = []
        for case in CASES:
            print(f"{case}: {len(videos)} recordings of {args.minutes:g} min ...", flush=True)
            res = run_case(case, videos, tmpd)
            print(
                f"  wall {res['wall_seconds']:.0f} s, CPU {res['cpu_seconds']:.0f} s "
                f"(units {res['unit_cpu_seconds']:.0f} s), {res['clips']} clips",
                flush=True,
            )
            results.append(res)
    base = results[0]
    for res in results:
        res["wall_vs_local"] = round(res["wall_seconds"] / base["wall_seconds"], 2)
        res["cpu_vs_local"] = round(res["cpu_seconds"] / base["cpu_seconds"], 2)
    recorded_hours = args.minutes * args.recordings / 60
    data = {
        "bench": "batch",
        "machine": pipeline.machine(),
        "recordings": args.recordings,
        "minutes_each": args.minutes,
        "source": {
            "size": "1280x720",
            "fps": 30,
            "products": 3,
            "freezes": 1,
            "speech_seconds": info.get("speech_seconds"),
        },  # fmt: skip
        "load_before": round(load_before, 2),
        "cases": results,
        "cpu_seconds_per_recorded_hour": {
            r["case"]: round(r["cpu_seconds"] / recorded_hours, 1) for r in results
        },
    }
    pipeline.save("batch", data, docs=not args.no_docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
