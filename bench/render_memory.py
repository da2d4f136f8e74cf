"""Render memory on a very long recording: the largest ffmpeg process of one clip.

    uv run python bench/render_memory.py [--hours 8]

Every ``-i`` of an ffmpeg process loads the source's whole packet index, so on an 8-hour
recording the number of inputs per process decides memory. Builds (once, cached in
bench/.cache/) an 8-hour MP4 of tiny 64x36 25 fps video with 48 kHz AAC: the index is as large
as a real recording's (it grows with packets, not pixels), while decoding and encoding cost
nothing. Then measures, each in a fresh process:

* the index cost: peak RSS of one ffmpeg encoding one window from 1 input and from 4 inputs;
* baseline: one ffmpeg with every window of a 5-window clip as an input (how the full re-encode
  worked before it was split into pieces);
* ours: ``clipora_render_ffmpeg`` rendering the same clip with burned-in subtitles (full
  re-encode) and without (smart cut), peak RSS of its largest ffmpeg child and of the Python
  process itself.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg

CACHE = Path(__file__).resolve().parent / ".cache"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
# Where the clip's five windows start, as fractions of the recording: the hook first.
WINDOW_POSITIONS = [0.69, 0.10, 0.31, 0.87, 0.90]


def build_source(hours: float) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"source-{hours:g}h-64x36.mp4"
    if path.exists():
        return path
    seconds = round(hours * 3600)
    print(f"building a {hours:g}-hour source (cached in {CACHE}; a few minutes) ...", flush=True)
    tmp = path.with_suffix(".partial.mp4")
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=s=64x36:r=25:d={seconds}"]
        + ["-f", "lavfi", "-i", f"sine=f=440:d={seconds}:sample_rate=48000"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-g", "75"]
        + ["-c:a", "aac", "-ac", "1", "-b:a", "32k", "-shortest", str(tmp)],
        check=True,
    )
    tmp.replace(path)
    return path


def windows(duration: float) -> list[tuple[float, float]]:
    """Five windows of 8-12 s spread over the recording, hook first (times as fractions)."""
    return [
        (round(p * duration, 3), round(p * duration, 3) + 8 + k)
        for k, p in enumerate(WINDOW_POSITIONS)
    ]


def peak_rss_mb(cmd: list[str]) -> float:
    """Peak RSS of a command (a fresh process: the kernel's high-water mark)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"{cmd[:3]} failed: {proc.stderr.read().decode()[-500:]}")
    return usage.ru_maxrss / 1024


def raw_inputs(src: Path, wins: list[tuple[float, float]]) -> float:
    args = [FFMPEG, "-v", "error", "-y"]
    for a, b in wins:
        args += ["-ss", f"{a:.3f}", "-t", f"{b - a:.3f}", "-i", str(src)]
    labels = "".join(f"[{i}:v]" for i in range(len(wins)))
    args += ["-filter_complex", f"{labels}concat=n={len(wins)}:v=1:a=0[v]", "-map", "[v]"]
    args += ["-c:v", "libx264", "-preset", "veryfast", "-f", "null", "-"]
    return peak_rss_mb(args)


OURS = r"""
import json, resource, sys, time
from pathlib import Path
from clipora_core.capabilities import RenderRequest
from clipora_core.contracts import TimeWindow
from clipora_core.progress import StageProgress
from clipora_render_ffmpeg.prober import PyAVProber
from clipora_render_ffmpeg.renderer import FFmpegRenderer
from clipora_render_ffmpeg.settings import RenderProfileSettings

src, out, burn, wins = sys.argv[1], Path(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
settings = RenderProfileSettings()
probe = PyAVProber().probe(Path(src))
t = time.monotonic()
result = FFmpegRenderer(settings).render(RenderRequest(
    source_path=Path(src), probe=probe, out_path=out,
    windows=[TimeWindow(start_seconds=a, end_seconds=b) for a, b in wins],
    progress=StageProgress(None, "bench"), clip_id="clip", burn_subtitles=Path(burn) if burn else None))
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"method": result.metadata["method"], "pieces": result.metadata.get("pieces"),
    "ffmpeg_peak_mb": round(children), "python_peak_mb": round(own),
    "seconds": round(time.monotonic() - t, 2), "duration_seconds": result.duration_seconds}))
"""


def ours(src: Path, wins: list[tuple[float, float]], burn: Path | None, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", OURS, str(src), str(out), str(burn or ""), json.dumps(wins)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = ap.parse_args()

    from render import write_ass

    src = build_source(args.hours)
    import av

    with av.open(str(src)) as c:
        duration = c.duration / 1e6
        packets = sum(s.frames for s in c.streams)
    wins = windows(duration)
    print(f"source: {src.name}, {duration / 3600:.1f} h, {packets / 1e6:.2f} million packets")
    one = raw_inputs(src, wins[:1])
    four = raw_inputs(src, wins[:4])
    per_input = (four - one) / 3
    print(f"  one ffmpeg, 1 input {one:.0f} MB, 4 inputs {four:.0f} MB: {per_input:.0f} MB/input")
    baseline = raw_inputs(src, wins)
    print(f"  baseline, every window of the clip as an input: {baseline:.0f} MB")
    work = CACHE / "render-memory"
    work.mkdir(exist_ok=True)
    ass = write_ass(work / "subs.ass", 120)
    rows = {}
    for name, burn in (("burn_in", ass), ("smart_cut", None)):
        rows[name] = ours(src, wins, burn, work / f"{name}.mp4")
        r = rows[name]
        print(
            f"  ours, {name}: largest ffmpeg {r['ffmpeg_peak_mb']} MB, python "
            f"{r['python_peak_mb']} MB, {r['seconds']} s ({r['method']}, pieces {r['pieces']})"
        )
    from pipeline import machine, save

    save(
        "render_memory",
        {
            "bench": "render_memory",
            "machine": machine(),
            "source": {"hours": round(duration / 3600, 2), "packets": packets},
            "windows": len(wins),
            "ffmpeg_one_input_mb": round(one),
            "ffmpeg_four_inputs_mb": round(four),
            "index_mb_per_input": round(per_input),
            "baseline_all_inputs_mb": round(baseline),
            "ours": rows,
        },
        not args.no_docs,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
