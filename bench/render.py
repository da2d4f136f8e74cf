"""Render benchmark: the ffmpeg renderer vs. the earlier tool's method on one long source.

    uv run python bench/render.py [--minutes 30] [--gop 3] [--clips 3] [--runs 2]

Builds (once, cached in bench/.cache/) a livestream-like recording: 30 min of 1280x720 25 fps
H.264 (x264 veryfast with B-frames, fixed 3 s GOP) and stereo AAC; plans one clip per product
(a 5-9 s hook from late in the product span, then 2-3 body windows of 8-18 s; each clip's
windows spread over 1.5-2.5 minutes), and renders
every clip with:

* ours: ``clipora_render_ffmpeg`` without burn-in (smart cut) and with a burned .ass, at our
  default preset (veryfast) and, for transparency, at the reference's preset (medium);
* reference: the earlier tool (reference-spec 4.8): per clip one ffmpeg input seeked to the
  earliest window, trim/atrim + concat in one filter graph, libx264 preset medium CRF 23,
  ``-threads cpu_count``, chunks of at most 8 windows / 300 s span.

Clips render one after another in every method. Two more rows render ours as the render stage
does at its defaults (``concurrency.render`` = 2 clips at once, as ``runner.py`` schedules them);
the earlier tool's ``clipora render`` renders its item plans strictly one after another
(reference-spec 10, item 48), so its rows stand for both.

Each method runs ``--runs`` times, interleaved; prints wall and CPU time (user+sys of the
process and its ffmpeg children: the steadier figure on a shared machine), speed ratios, and
every output's video and audio duration against the plan.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import imageio_ffmpeg
from clipora_core.capabilities import RenderRequest
from clipora_core.contracts import TimeWindow
from clipora_core.progress import StageProgress
from clipora_render_ffmpeg.prober import PyAVProber
from clipora_render_ffmpeg.renderer import FFmpegRenderer
from clipora_render_ffmpeg.settings import RenderProfileSettings

CACHE = Path(__file__).resolve().parent / ".cache"
RESULTS = Path(__file__).resolve().parent / "results"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg(args: list[str], cwd: Path | None = None) -> None:
    cmd = [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    subprocess.run(cmd, check=True, cwd=cwd)


def build_source(minutes: int, gop: float) -> Path:
    """A livestream-like recording: 1280x720 25 fps H.264 as OBS-style recorders write it
    (x264 veryfast, B-frames, fixed GOP), stereo 48 kHz AAC 128k. Built once, then cached."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"source-{minutes}min-1280x720-gop{gop:g}s.mp4"
    if path.exists():
        return path
    seconds = minutes * 60
    tmp = path.with_suffix(".partial.mp4")
    print(f"building {minutes} min source (cached in {CACHE}) ...", flush=True)
    t = time.monotonic()
    g = round(gop * 25)
    ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=s=1280x720:r=25:d={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=f=440:beep_factor=4:d={seconds}:sample_rate=48000",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-g",
            str(g),
            "-keyint_min",
            str(g),
            "-sc_threshold",
            "0",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-ac",
            "2",
            "-b:a",
            "128k",
            "-shortest",
            "-f",
            "mp4",
            str(tmp),
        ]
    )
    tmp.replace(path)
    print(f"  built in {time.monotonic() - t:.1f} s", flush=True)
    return path


def build_plan(duration: float, clips: int, seed: int = 7) -> list[list[tuple[float, float]]]:
    """One clip per product, like the analyze stage plans them: the stream is split into
    product spans; each clip opens with a 5-9 s hook taken from late in its product span, then
    2-3 body windows of 8-18 s in order, spread over 120-280 s of the span (under the earlier
    tool's 300 s chunk limit, so the reference renders every clip in one encode). Times in ms
    like transcript timestamps, not on the frame grid."""
    rng = random.Random(seed)
    plan = []
    product = duration / clips
    for i in range(clips):
        span = rng.uniform(120, min(280, product - 30))
        lo = i * product + rng.uniform(10, product - span - 10)
        bodies = []
        n = rng.choice([2, 3])
        for k in range(n):
            t = lo + (0.7 * span) * k / n + rng.uniform(0, 0.7 * span / n - 20)
            bodies.append((round(t, 3), round(t + rng.uniform(8, 18), 3)))
        hook_start = lo + span - rng.uniform(10, 0.25 * span)
        hook = (round(hook_start, 3), round(min(lo + span, hook_start + rng.uniform(5, 9)), 3))
        plan.append([hook, *bodies])
    return plan


def write_ass(path: Path, seconds: float) -> Path:
    lines = [
        "[Script Info]",
        "ScriptType: v4.00+",
        "PlayResX: 1280",
        "PlayResY: 720",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        "Style: Default,DejaVu Sans,54,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,1,0,0,0,"
        "100,100,0,0,1,2,0,2,20,20,24,1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]

    def ts(x: float) -> str:
        return f"{int(x // 3600)}:{int(x % 3600 // 60):02d}:{x % 60:05.2f}"

    t = 0.0
    n = 1
    while t < seconds:
        lines.append(
            f"Dialogue: 0,{ts(t)},{ts(min(seconds, t + 2))},Default,,0,0,0,,"
            f"Subtitle line number {n} for the benchmark"
        )
        t += 2
        n += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- the reference method (reference-spec 4.8) ------------------------------------------------


def _chunks(windows: list[tuple[float, float]], size: int = 8, span: float = 300.0):
    chunks: list[list[tuple[float, float]]] = []
    for w in windows:
        if chunks:
            cur = chunks[-1]
            lo = min(x[0] for x in [*cur, w])
            hi = max(x[1] for x in [*cur, w])
            if len(cur) < size and hi - lo <= span:
                cur.append(w)
                continue
        chunks.append([w])
    return chunks


def _reference_graph(
    windows: list[tuple[float, float]], burn: str | None, speed: float = 1.0
) -> tuple[float, str, str]:
    t0 = min(w[0] for w in windows)
    parts, pairs = [], []
    for i, (s, e) in enumerate(windows):
        ls, le = s - t0, e - t0
        parts.append(f"[0:v]trim=start={ls:.3f}:end={le:.3f},setpts=PTS-STARTPTS[v{i}]")
        parts.append(f"[0:a]atrim=start={ls:.3f}:end={le:.3f},asetpts=PTS-STARTPTS[a{i}]")
        pairs.append(f"[v{i}][a{i}]")
    graph = ";".join(parts) + f";{''.join(pairs)}concat=n={len(windows)}:v=1:a=1"
    if abs(speed - 1.0) > 1e-9:
        # The earlier tool's playback speed: setpts on the video, atempo on the audio.
        graph += f"[cv][ca];[cv]setpts=PTS/{speed:.6f}[outv];[ca]atempo={speed:.6f}[outa]"
    else:
        graph += "[outv][outa]"
    label = "[outv]"
    if burn:
        graph += f";[outv]subtitles=filename='{burn}'[subtitled{len(windows)}]"
        label = f"[subtitled{len(windows)}]"
    return t0, graph, label


def render_reference(
    src: Path,
    windows: list[tuple[float, float]],
    out: Path,
    burn: Path | None,
    work: Path,
    speed: float = 1.0,
    crf: int = 23,
    preset: str = "medium",
) -> None:
    # threads: the earlier tool passes cpu_count // concurrency.render (default 1).
    encode = [
        "-fps_mode",
        "cfr",
        "-r",
        "25",
        "-c:v",
        "libx264",
        "-crf",
        str(crf),
        "-preset",
        preset,
        "-threads",
        str(os.cpu_count() or 1),
    ]
    audio = ["-c:a", "aac", "-b:a", "128k"]
    chunks = _chunks(windows)

    def one(ws: list[tuple[float, float]], target: Path, sub: str | None) -> None:
        t0, graph, label = _reference_graph(ws, sub, speed)
        ffmpeg(
            [
                "-ss",
                f"{t0:.3f}",
                "-i",
                str(src),
                "-filter_complex_threads",
                "1",
                "-filter_complex",
                graph,
                "-map",
                label,
                *encode,
                "-map",
                "[outa]",
                *audio,
                str(target),
            ],
            cwd=work,
        )

    if len(chunks) == 1:
        one(chunks[0], out, burn.name if burn else None)
        return
    parts = []
    for i, ch in enumerate(chunks):
        part = work / f"part-{i:03d}.mp4"
        one(ch, part, None)
        parts.append(part)
    listing = work / "concat.txt"
    listing.write_text("".join(f"file '{p.name}'\n" for p in parts))
    joined = work / "preburn.mp4" if burn else out
    ffmpeg(["-f", "concat", "-safe", "0", "-i", listing.name, "-c", "copy", str(joined)], cwd=work)
    if burn:
        ffmpeg(
            [
                "-i",
                str(joined),
                "-vf",
                f"subtitles=filename='{burn.name}'",
                "-c:a",
                "copy",
                str(out),
            ],
            cwd=work,
        )


# --- measuring --------------------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time (user+sys) of this process and its finished children (ffmpeg). Less disturbed
    than wall time when other work shares the machine."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        ru = resource.getrusage(who)
        total += ru.ru_utime + ru.ru_stime
    return total


def ssim(path: Path, lossless: Path) -> float:
    """Mean SSIM (all planes) of ``path`` against ``lossless``, from ffmpeg's ssim filter."""
    proc = subprocess.run(
        [FFMPEG, "-hide_banner", "-nostdin", "-i", str(path), "-i", str(lossless)]
        + ["-lavfi", "[0:v][1:v]ssim", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.findall(r"All:([0-9.]+)", proc.stderr)
    if not found:
        raise RuntimeError(f"no SSIM in ffmpeg's output for {path}")
    return float(found[-1])


def both_quality(
    src: Path, probe: Any, plan: list[list[tuple[float, float]]], work: Path, speed: float
) -> dict[str, float]:
    """Quality of the plain clips of the `both` case, each method against its own lossless
    render of the same graph (so frame timing differences between the methods do not count):
    mean SSIM over the clips. Matched quality: within 0.002."""
    lossless = FFmpegRenderer(RenderProfileSettings(preset="ultrafast", crf=0))
    ours, ref = [], []
    for i, clip in enumerate(plan):
        truth = work / f"truth-ours-{i}.mp4"
        lossless.render(
            RenderRequest(
                source_path=src,
                probe=probe,
                windows=[TimeWindow(start_seconds=s, end_seconds=e) for s, e in clip],
                out_path=truth,
                progress=StageProgress(None, "bench"),
                clip_id=f"truth{i}",
                playback_speed=speed,
            )
        )
        ours.append(ssim(work / f"ours-both12-r0-{i}-plain.mp4", truth))
        cw = work / f"truth-ref-{i}"
        cw.mkdir(exist_ok=True)
        render_reference(src, clip, work / f"truth-ref-{i}.mp4", None, cw, speed, 0, "ultrafast")
        ref.append(ssim(work / f"ref-both12-r0-{i}-plain.mp4", work / f"truth-ref-{i}.mp4"))
    return {"ours": round(sum(ours) / len(ours), 4), "reference": round(sum(ref) / len(ref), 4)}


def durations(path: Path) -> tuple[float, float]:
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        a = c.streams.audio[0]
        return float(v.duration * v.time_base), float(a.duration * a.time_base)


@dataclass
class Method:
    key: str
    label: str
    burn: bool
    ours: bool
    preset: str = "veryfast"
    workers: int = 1  # clips rendered at once (the render stage's concurrency.render)
    # render_subtitles.mode=both (a plain and a subtitled clip) at this playback speed
    both_speed: float | None = None
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    methods: set[str] = field(default_factory=set)
    worst: float = 0.0  # largest |output - planned| duration of any stream, seconds


def save_results(
    args: argparse.Namespace,
    src: Path,
    probe: Any,
    plan: list[list[tuple[float, float]]],
    planned: list[float],
    methods: list[Method],
    frame: float,
    docs: bool,
    quality: dict[str, float] | None = None,
) -> None:
    """bench/results/render.json, then docs/performance.md through scripts/update_performance.py."""
    from pipeline import machine, save

    by = {m.key: m for m in methods}
    ratios = {}
    for name, ref, ours in (
        ("smart_cut", "ref-plain", "ours-cut"),
        ("burn_in", "ref-burn", "ours-burn"),
        ("smart_cut_stage", "ref-plain", "ours-cut-stage"),
        ("burn_in_stage", "ref-burn", "ours-burn-stage"),
        ("smart_cut_preset_medium", "ref-plain", "ours-cut-med"),
        ("burn_in_preset_medium", "ref-burn", "ours-burn-med"),
        ("burn_in_preset_superfast", "ref-burn", "ours-burn-sf"),
        ("both_at_1_2", "ref-both12", "ours-both12"),
    ):
        if ref in by and ours in by:
            ratios[name] = {
                "wall": round(min(by[ref].walls) / min(by[ours].walls), 2),
                "cpu": round(min(by[ref].cpus) / min(by[ours].cpus), 2),
            }
    data = {
        "bench": "render",
        "machine": machine(),
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "source": {
            "name": src.name,
            "duration_seconds": round(probe.duration_seconds, 1),
            "size": f"{probe.video_width}x{probe.video_height}",
            "gop_seconds": args.gop,
        },
        "plan": {
            "clips": len(plan),
            "windows": sum(len(c) for c in plan),
            "output_seconds": round(sum(planned), 2),
            "spans_seconds": [round(max(e for _, e in c) - min(s for s, _ in c)) for c in plan],
        },
        "runs": args.runs,
        "frame_seconds": frame,
        "methods": [
            {
                "key": m.key,
                "label": m.label,
                "preset": m.preset,
                "clips_at_once": m.workers,
                "wall_seconds": [round(w, 2) for w in m.walls],
                "cpu_seconds": [round(c, 2) for c in m.cpus],
                "output_mb": round(sum(p.stat().st_size for p in m.outputs[: len(plan)]) / 1e6, 1),
                "worst_duration_error_seconds": round(m.worst, 4),
                "render_methods": sorted(m.methods),
            }
            for m in methods
        ],
        "ratios": ratios,
    }
    if quality and "both_at_1_2" in ratios:
        ratios["both_at_1_2"]["ssim"] = quality
    previous = RESULTS / "render.json"
    if args.only_both and docs:
        docs = False  # unless it can join the last full run's results, below
    if args.only_both and previous.is_file():
        # A run of the `both` pair alone replaces those rows of the last full run's results.
        old = json.loads(previous.read_text(encoding="utf-8"))
        if old.get("source") == data["source"] and old.get("plan") == data["plan"]:
            mine = {m["key"] for m in data["methods"]}
            data["methods"] = [m for m in old["methods"] if m["key"] not in mine] + data["methods"]
            data["ratios"] = {**old.get("ratios", {}), **ratios}
            data["both_pair_run"] = {"machine": data["machine"], "load_after": data["load_after"]}
            data["machine"], data["load_after"], data["runs"] = (
                old["machine"],
                old["load_after"],
                old["runs"],
            )
            docs = not args.no_docs
    if args.only_both and not docs and not args.no_docs:
        print(
            "docs not updated: no full run of this source and plan to join; run without --only-both"
        )
    save("render" if docs or not args.only_both else "render-both", data, docs)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--minutes", type=int, default=30, help="length of the synthetic source")
    ap.add_argument("--gop", type=float, default=3.0, help="source keyframe interval, seconds")
    ap.add_argument("--clips", type=int, default=3)
    ap.add_argument("--runs", type=int, default=2, help="timed runs of every method (interleaved)")
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument(
        "--crf", type=int, default=23, help="our renderer's CRF (the reference's is 23)"
    )
    ap.add_argument(
        "--only-both", action="store_true", help="only the `both at 1.2x` pair (with its SSIM)"
    )
    ap.add_argument(
        "--no-equal-preset",
        action="store_true",
        help="skip our renderer at the reference's preset (medium) and at superfast",
    )
    ap.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = ap.parse_args()

    src = build_source(args.minutes, args.gop)
    probe = PyAVProber().probe(src)
    plan = build_plan(probe.duration_seconds, args.clips)
    fps = 25.0
    planned = [sum(e - s for s, e in clip) for clip in plan]
    print(
        f"source: {src.name}, {probe.duration_seconds:.0f} s, {probe.video_width}x"
        f"{probe.video_height}, GOP {args.gop:g} s; plan: {len(plan)} clips, "
        f"{sum(len(c) for c in plan)} windows, {sum(planned):.1f} s of output"
    )
    for i, clip in enumerate(plan):
        print(
            f"  clip {i}: "
            + ", ".join(f"{s:.3f}-{e:.3f}" for s, e in clip)
            + f" (span {max(e for _, e in clip) - min(s for s, _ in clip):.0f} s)"
        )

    methods = [
        Method("ours-cut", "ours, no burn-in (smart cut)", False, True),
        Method("ref-plain", "reference, no burn-in", False, False, "medium"),
        Method("ours-burn", "ours, burn-in", True, True),
        Method("ref-burn", "reference, burn-in", True, False, "medium"),
        Method("ours-cut-stage", "ours, no burn-in, 2 clips at once", False, True, workers=2),
        Method("ours-burn-stage", "ours, burn-in, 2 clips at once", True, True, workers=2),
        Method("ours-both12", "ours, both at 1.2x (one decode)", True, True, both_speed=1.2),
        Method("ref-both12", "reference, both at 1.2x", True, False, "medium", both_speed=1.2),
    ]
    if not args.no_equal_preset:
        methods += [
            Method("ours-cut-med", "ours, no burn-in, preset medium", False, True, "medium"),
            Method("ours-burn-med", "ours, burn-in, preset medium", True, True, "medium"),
            Method("ours-burn-sf", "ours, burn-in, preset superfast", True, True, "superfast"),
        ]
    if args.skip_reference:
        methods = [m for m in methods if m.ours]
    if args.only_both:
        methods = [m for m in methods if m.both_speed]

    work = Path(tempfile.mkdtemp(prefix="clipora-bench-"))
    try:
        ass = write_ass(work / "subs.ass", 120)

        def run_ours(m: Method, tag: str) -> None:
            renderer = FFmpegRenderer(RenderProfileSettings(preset=m.preset, crf=args.crf))

            def one(i: int) -> Any:
                clip = plan[i]
                out = work / f"{m.key}-{tag}-{i}.mp4"
                req = RenderRequest(
                    source_path=src,
                    probe=probe,
                    windows=[TimeWindow(start_seconds=s, end_seconds=e) for s, e in clip],
                    out_path=out,
                    parallel_renders=m.workers,
                    progress=StageProgress(None, "bench"),
                    clip_id=f"clip{i}",
                    burn_subtitles=ass if m.burn else None,
                    playback_speed=m.both_speed or 1.0,
                    plain_out_path=out.with_name(out.stem + "-plain.mp4") if m.both_speed else None,
                )
                result = renderer.render(req)
                if m.both_speed and result.plain_path is None:
                    # As the render stage does when the renderer could not make both at once.
                    req.burn_subtitles, req.plain_out_path = None, None
                    req.out_path = out.with_name(out.stem + "-plain.mp4")
                    renderer.render(req)
                return result

            with ThreadPoolExecutor(max_workers=m.workers) as pool:
                for out in pool.map(one, range(len(plan))):
                    m.outputs.append(out.path)
                    m.methods.add(out.metadata["method"])

        def run_reference(m: Method, tag: str) -> None:
            for i, clip in enumerate(plan):
                cw = work / f"{m.key}-{tag}-{i}"
                cw.mkdir()
                shutil.copyfile(ass, cw / ass.name)
                out = work / f"{m.key}-{tag}-{i}.mp4"
                speed = m.both_speed or 1.0
                render_reference(src, clip, out, cw / ass.name if m.burn else None, cw, speed)
                if m.both_speed:
                    plain = out.with_name(out.stem + "-plain.mp4")
                    render_reference(src, clip, plain, None, cw, speed)
                m.outputs.append(out)
                m.methods.add("reference")

        for run in range(args.runs):
            for m in methods:
                # Other-preset runs are for transparency only: one run is enough.
                if m.key.endswith(("-med", "-sf")) and run > 0:
                    continue
                t, c = time.monotonic(), cpu_seconds()
                (run_ours if m.ours else run_reference)(m, f"r{run}")
                m.walls.append(time.monotonic() - t)
                m.cpus.append(cpu_seconds() - c)
                print(
                    f"run {run + 1}: {m.label:34s} {m.walls[-1]:7.2f} s wall {m.cpus[-1]:7.2f} s cpu"
                    f"  (load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )

        frame = 1 / fps
        print(
            f"\noutput durations, seconds (planned = sum of the windows; one frame = {frame:.3f} s)"
        )
        print(
            f"  {'method':20s} "
            + "  ".join(f"clip{i} plan/video/audio" for i in range(len(plan)))
            + "   worst |error|  all within 1 frame"
        )
        for m in methods:
            cells, worst = [], 0.0
            m.worst = 0.0
            for i, p in enumerate(planned):
                p = p / (m.both_speed or 1.0)
                v, a = durations(m.outputs[i])
                worst = max(worst, abs(v - p), abs(a - p))
                cells.append(f"{p:6.2f}/{v:6.2f}/{a:6.2f}    ")
                m.worst = max(m.worst, worst)
            print(
                f"  {m.key:20s} "
                + "  ".join(cells)
                + f"   {worst:.3f}          "
                + ("yes" if worst <= frame + 1e-6 else "NO")
            )

        print(
            f"\nall {len(plan)} clips, one after another unless the method says 'at once';"
            " best of runs (all runs)"
        )
        print(
            f"  {'method':34s} {'preset':9s} {'wall s':>8s} {'cpu s':>8s} {'MB':>6s}   runs (wall | cpu)"
        )
        for m in methods:
            size = sum(p.stat().st_size for p in m.outputs[: len(plan)]) / 1e6
            print(
                f"  {m.label:34s} {m.preset:9s} {min(m.walls):8.2f} {min(m.cpus):8.2f} {size:6.1f}   "
                + " ".join(f"{w:.1f}" for w in m.walls)
                + " | "
                + " ".join(f"{c:.1f}" for c in m.cpus)
                + f"   [{','.join(sorted(m.methods))}]"
            )
        by = {m.key: m for m in methods}
        if "ref-plain" in by:
            print("\nspeed-up vs the reference (reference time / our time; best of runs):")
            rows = [
                ("no burn-in (smart cut)", "ref-plain", "ours-cut", 10),
                ("burn-in", "ref-burn", "ours-burn", 3),
                ("no burn-in, 2 clips at once", "ref-plain", "ours-cut-stage", 10),
                ("burn-in, 2 clips at once", "ref-burn", "ours-burn-stage", 3),
                ("no burn-in, both preset medium", "ref-plain", "ours-cut-med", None),
                ("burn-in, both preset medium", "ref-burn", "ours-burn-med", None),
                ("burn-in, ours preset superfast", "ref-burn", "ours-burn-sf", None),
                ("both (plain + subtitled) at 1.2x", "ref-both12", "ours-both12", 3),
            ]
            for label, ref, ours, target in rows:
                if ours not in by:
                    continue
                wall = min(by[ref].walls) / min(by[ours].walls)
                cpu = min(by[ref].cpus) / min(by[ours].cpus)
                verdict = (
                    ""
                    if target is None
                    else f"target >= {target}x: wall {'met' if wall >= target else 'NOT met'}, "
                    f"cpu {'met' if cpu >= target else 'NOT met'}"
                )
                print(f"  {label:32s} wall {wall:5.1f}x   cpu {cpu:5.1f}x   {verdict}")
            print(
                "  (our default preset is veryfast, a product choice: re-encoded frames are a few"
                " per window\n   edge with smart cut; with burn-in the whole clip is encoded once."
                " The medium rows\n   compare at the reference's preset.)"
            )
        print(
            f"\nmachine: {os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.1f};"
            " cpu = user+sys of this process and its ffmpeg children"
        )
        quality = None
        keys = {m.key for m in methods}
        if {"ours-both12", "ref-both12"} <= keys:
            quality = both_quality(src, probe, plan, work, 1.2)
            gap = quality["reference"] - quality["ours"]
            print(
                f"\nboth at 1.2x, plain clips, SSIM against each method's lossless render: ours "
                f"{quality['ours']:.4f}, reference {quality['reference']:.4f} (ours lower by "
                f"{gap:.4f}; matched when within 0.002: {'yes' if gap <= 0.002 else 'NO'})"
            )
        save_results(args, src, probe, plan, planned, methods, frame, not args.no_docs, quality)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
