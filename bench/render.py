"""Render benchmark: the ffmpeg renderer vs. the earlier tool's method on one long source.

    uv run python bench/render.py [--minutes 20] [--clips 6]

Builds (once, cached in bench/.cache/) a long synthetic 640x360 25 fps source with audio and a
2 s GOP, a plan of clips with 2-3 windows spread over it, then renders every clip:

* ``ours``: ``clipora_render_ffmpeg`` without burn-in (smart cut) and with a burned .ass;
* ``reference``: the earlier tool (reference-spec 4.8): per clip one ffmpeg input seeked to the
  earliest window, trim/atrim + concat in one filter graph, libx264 preset medium CRF 23, chunks
  of at most 8 windows / 300 s span (several chunks: parts, concat copy, then a second encode
  to burn subtitles).

Prints wall times, speed ratios and output durations (video/audio, vs. the planned sum).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import imageio_ffmpeg
from clipora_core.capabilities import ConfigSection, RenderRequest
from clipora_core.config import build_settings_model
from clipora_core.contracts import TimeWindow
from clipora_core.progress import StageProgress
from clipora_render_ffmpeg.prober import PyAVProber
from clipora_render_ffmpeg.renderer import FFmpegRenderer
from clipora_render_ffmpeg.settings import RenderProfileSettings

CACHE = Path(__file__).resolve().parent / ".cache"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg(args: list[str], cwd: Path | None = None) -> None:
    cmd = [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    subprocess.run(cmd, check=True, cwd=cwd)


def build_source(minutes: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"source-{minutes}min-640x360.mp4"
    if path.exists():
        return path
    seconds = minutes * 60
    tmp = path.with_suffix(".partial.mp4")
    print(f"building {minutes} min source (cached in {CACHE}) ...", flush=True)
    t = time.monotonic()
    ffmpeg([
        "-f", "lavfi", "-i", f"testsrc2=s=640x360:r=25:d={seconds}",
        "-f", "lavfi", "-i", f"sine=f=440:beep_factor=4:d={seconds}:sample_rate=48000",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-keyint_min", "50",
        "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
        "-shortest", "-f", "mp4", str(tmp),
    ])
    tmp.replace(path)
    print(f"  built in {time.monotonic() - t:.1f} s", flush=True)
    return path


def build_plan(duration: float, clips: int, seed: int = 7) -> list[list[tuple[float, float]]]:
    """Clips of 2-3 windows (8-20 s): a hook from later in the stream, then body windows."""
    rng = random.Random(seed)
    plan = []
    slot = duration / clips
    for i in range(clips):
        base = i * slot
        body = []
        t = base + rng.uniform(5, 30)
        for _ in range(rng.choice([1, 2])):
            length = rng.uniform(10, 20)
            body.append((round(t, 3), round(t + length, 3)))
            t += length + rng.uniform(20, 120)
        hook_start = min(duration - 20, base + slot * rng.uniform(0.55, 0.9))
        hook = (round(hook_start, 3), round(hook_start + rng.uniform(6, 10), 3))
        plan.append([hook, *body])
    return plan


def write_ass(path: Path, seconds: float) -> Path:
    lines = [
        "[Script Info]", "ScriptType: v4.00+", "PlayResX: 640", "PlayResY: 360", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        "Style: Default,DejaVu Sans,28,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,1,0,0,0,"
        "100,100,0,0,1,2,0,2,20,20,24,1", "",
        "[Events]", "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]

    def ts(x: float) -> str:
        return f"{int(x // 3600)}:{int(x % 3600 // 60):02d}:{x % 60:05.2f}"

    t = 0.0
    n = 1
    while t < seconds:
        lines.append(f"Dialogue: 0,{ts(t)},{ts(min(seconds, t + 2))},Default,,0,0,0,,"
                     f"Subtitle line number {n} for the benchmark")
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


def _reference_graph(windows: list[tuple[float, float]], burn: str | None) -> tuple[float, str, str]:
    t0 = min(w[0] for w in windows)
    parts, pairs = [], []
    for i, (s, e) in enumerate(windows):
        ls, le = s - t0, e - t0
        parts.append(f"[0:v]trim=start={ls:.3f}:end={le:.3f},setpts=PTS-STARTPTS[v{i}]")
        parts.append(f"[0:a]atrim=start={ls:.3f}:end={le:.3f},asetpts=PTS-STARTPTS[a{i}]")
        pairs.append(f"[v{i}][a{i}]")
    graph = ";".join(parts) + f";{''.join(pairs)}concat=n={len(windows)}:v=1:a=1[outv][outa]"
    label = "[outv]"
    if burn:
        graph += f";[outv]subtitles=filename='{burn}'[subtitled{len(windows)}]"
        label = f"[subtitled{len(windows)}]"
    return t0, graph, label


def render_reference(src: Path, windows: list[tuple[float, float]], out: Path,
                     burn: Path | None, work: Path) -> None:
    encode = ["-fps_mode", "cfr", "-r", "25", "-c:v", "libx264", "-crf", "23",
              "-preset", "medium"]
    audio = ["-c:a", "aac", "-b:a", "128k"]
    chunks = _chunks(windows)

    def one(ws: list[tuple[float, float]], target: Path, sub: str | None) -> None:
        t0, graph, label = _reference_graph(ws, sub)
        ffmpeg(["-ss", f"{t0:.3f}", "-i", str(src), "-filter_complex_threads", "1",
                "-filter_complex", graph, "-map", label, *encode, "-map", "[outa]", *audio,
                str(target)], cwd=work)

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
        ffmpeg(["-i", str(joined), "-vf", f"subtitles=filename='{burn.name}'", "-c:a", "copy",
                str(out)], cwd=work)


# --- measuring --------------------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (ffmpeg): robust on a busy machine."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        ru = resource.getrusage(who)
        total += ru.ru_utime + ru.ru_stime
    return total


def durations(path: Path) -> tuple[float, float]:
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        a = c.streams.audio[0]
        return float(v.duration * v.time_base), float(a.duration * a.time_base)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=int, default=20, help="length of the synthetic source")
    ap.add_argument("--clips", type=int, default=6)
    ap.add_argument("--skip-reference", action="store_true")
    args = ap.parse_args()

    src = build_source(args.minutes)
    model = build_settings_model([ConfigSection(path="render", model=RenderProfileSettings)])
    settings = model.model_validate({})
    probe = PyAVProber(settings).probe(src)
    plan = build_plan(probe.duration_seconds, args.clips)
    print(f"source: {src.name}, {probe.duration_seconds:.0f} s; plan: {len(plan)} clips, "
          f"{sum(len(c) for c in plan)} windows, "
          f"{sum(e - s for c in plan for s, e in c):.1f} s of output")
    for i, clip in enumerate(plan):
        print(f"  clip {i}: " + ", ".join(f"{s:.1f}-{e:.1f}" for s, e in clip)
              + f" (span {max(e for _, e in clip) - min(s for s, _ in clip):.0f} s)")

    work = Path(tempfile.mkdtemp(prefix="clipora-bench-"))
    try:
        ass = write_ass(work / "subs.ass", 120)
        renderer = FFmpegRenderer(settings)

        def ours(burn: bool) -> None:
            for i, clip in enumerate(plan):
                req = RenderRequest(
                    source_path=src, probe=probe,
                    windows=[TimeWindow(start_seconds=s, end_seconds=e) for s, e in clip],
                    out_path=work / f"ours-{'burn' if burn else 'plain'}-{i}.mp4",
                    settings=settings, progress=StageProgress(None, "bench"),
                    clip_id=f"clip{i}", burn_subtitles=ass if burn else None,
                )
                out = renderer.render(req)
                yield_row(f"ours-{'burn' if burn else 'plain'}", out.path, clip,
                          out.metadata["method"])

        rows: dict[str, list[tuple[float, float, float, str]]] = {}

        def yield_row(key: str, path: Path, clip: list[tuple[float, float]], method: str) -> None:
            v, a = durations(path)
            rows.setdefault(key, []).append((sum(e - s for s, e in clip), v, a, method))

        timings: dict[str, float] = {}
        cpu: dict[str, float] = {}
        for key, fn in [("ours-plain", lambda: ours(False)), ("ours-burn", lambda: ours(True))]:
            t, c = time.monotonic(), cpu_seconds()
            fn()
            timings[key] = time.monotonic() - t
            cpu[key] = cpu_seconds() - c
            print(f"{key}: {timings[key]:.2f} s wall, {cpu[key]:.2f} s cpu", flush=True)
        if not args.skip_reference:
            for burn in (False, True):
                key = f"reference-{'burn' if burn else 'plain'}"
                t, c = time.monotonic(), cpu_seconds()
                for i, clip in enumerate(plan):
                    cw = work / f"{key}-{i}"
                    cw.mkdir()
                    shutil.copyfile(ass, cw / ass.name)
                    out = work / f"{key}-{i}.mp4"
                    render_reference(src, clip, out, cw / ass.name if burn else None, cw)
                    yield_row(key, out, clip, "reference")
                timings[key] = time.monotonic() - t
                cpu[key] = cpu_seconds() - c
                print(f"{key}: {timings[key]:.2f} s wall, {cpu[key]:.2f} s cpu", flush=True)

        print("\nper-clip durations (planned / video / audio, seconds):")
        for key, items in rows.items():
            worst = max(max(abs(v - p), abs(a - p)) for p, v, a, _ in items)
            methods = sorted({m for *_, m in items})
            print(f"  {key:18s} " + "  ".join(f"{p:.2f}/{v:.2f}/{a:.2f}" for p, v, a, _ in items)
                  + f"   max |error| {worst:.3f} s  method={','.join(methods)}")
        print("\nall clips, rendered one after another:     wall s     cpu s")
        for key, value in timings.items():
            print(f"  {key:38s} {value:8.2f}  {cpu[key]:8.2f}")
        if not args.skip_reference:
            for label, a, b, target in [("without burn-in (smart cut)", "plain", "plain", 10),
                                        ("with burn-in", "burn", "burn", 3)]:
                wall = timings[f"reference-{a}"] / timings[f"ours-{b}"]
                cpu_ratio = cpu[f"reference-{a}"] / cpu[f"ours-{b}"]
                print(f"speed-up {label:28s} wall {wall:5.1f}x  cpu {cpu_ratio:5.1f}x"
                      f"  (target >= {target}x)")
            print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
