"""End-to-end benchmark: ``clipora run`` on a synthetic 60-minute 720p livestream, offline defaults.

    uv run python bench/pipeline.py [--minutes 60] [--size 1280x720] [--products 20] [--no-docs]

Builds (once, cached in bench/.cache/) a recording with about 20 English product pitches
(espeak-ng: name, features, price, "link number N", a revisit, dead air between products), a
cheap test-pattern video (10 s of x264 ultrafast looped by stream copy, so a 60-minute 720p
file takes seconds), AAC audio. Then runs the real ``clipora run`` in a fresh workdir with the
default config (local Whisper base, offline analyzer, smart-cut renderer), and records:

* per-stage wall time from the job manifest's ``started_at`` / ``finished_at`` (clips render
  while items are analyzed, so most render work is inside ``analyze``);
* peak RSS: of the clipora process (``VmHWM``) and of the whole process tree (sum of the RSS of
  clipora and its ffmpeg children, sampled every 0.2 s);
* peak disk used by the job folder and by the temporary folder (``TMPDIR``, private to the run);
* the machine's load average before and after (it is shared).

Results go to bench/results/pipeline.json and into docs/performance.md through
scripts/update_performance.py. Targets on 2 cores: under 10 minutes, peak RSS under 1.5 GB.
Not run by pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / ".cache"
RESULTS = REPO / "bench" / "results"

PRODUCTS = [
    (
        "insulated water bottle",
        "keeps drinks cold for twenty four hours",
        "fits in your car cup holder",
        49,
        29,
    ),
    (
        "face cream",
        "is super moisturizing for dry skin",
        "has hyaluronic acid and ceramides",
        59,
        39,
    ),
    (
        "pair of wireless earbuds",
        "have active noise cancelling",
        "last thirty hours with the case",
        120,
        75,
    ),
    ("blender", "has a one thousand watt motor", "crushes ice in ten seconds", 120, 79),
    (
        "electric kettle",
        "boils a liter of water in three minutes",
        "turns itself off when it is done",
        55,
        35,
    ),
    ("bread toaster", "has four wide slots", "can toast bagels on one side", 45, 29),
    ("yoga mat", "is six millimeters thick", "does not slip even when you sweat", 40, 25),
    ("desk lamp", "has five brightness levels", "charges your phone wirelessly", 60, 38),
    ("backpack", "has a padded laptop sleeve", "is completely waterproof", 80, 49),
    ("phone charger", "charges two phones at once", "folds flat for travel", 35, 19),
    ("coffee grinder", "has fifteen grind settings", "is quiet enough for early mornings", 70, 45),
    (
        "rice cooker",
        "cooks perfect rice in twenty minutes",
        "keeps it warm for twelve hours",
        90,
        59,
    ),
    ("hair dryer", "dries your hair in five minutes", "has a cool shot button", 85, 55),
    ("running shoes", "weigh only two hundred grams", "have a soft foam sole", 110, 69),
    ("sunscreen", "is SPF fifty", "does not leave a white cast", 25, 15),
    (
        "vacuum cleaner",
        "runs for sixty minutes on one charge",
        "picks up pet hair easily",
        199,
        129,
    ),
    ("air fryer", "uses no oil at all", "has a five liter basket", 99, 65),
    ("smart watch", "tracks your sleep and heart rate", "lasts ten days on one charge", 150, 99),
    ("throw blanket", "is soft and warm", "can go in the washing machine", 50, 32),
    ("frying pan", "has a non stick coating", "works on induction stoves", 65, 42),
]
NUMBER_WORDS = dict(enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
]))  # fmt: skip


def say_number(n: int) -> str:
    return NUMBER_WORDS.get(n, str(n))


def pitch_lines(n: int, product: tuple) -> list[str]:
    name, feature1, feature2, was, now = product
    num = say_number((n - 1) % 20 + 1)
    return [
        f"Okay everyone, next up is product number {num}, this {name}.",
        f"This {name} {feature1}.",
        f"The {name} also {feature2}, which I really love.",
        f"Honestly I have been using this {name} every day for two weeks.",
        f"The {name} normally sells for {was} dollars, but today it is only {now} dollars.",
        f"We only have fifty of them, so the link is up, link number {num}, three, two, one!",
        f"Let me show you the {name} one more time, look at the quality.",
        f"Again, the {name} is {now} dollars today, link number {num}, go grab it now.",
    ]


FILLERS = [
    "Okay, let me grab some water.",
    "If you just joined, welcome, hit that follow button.",
    "Let me check the comments for a second.",
]


# --- media ----------------------------------------------------------------------------------------


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def espeak(text: str, rate: int = 165) -> Path:
    """A cached espeak-ng wav (22050 Hz mono 16-bit) of ``text``."""
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is needed: apt-get install espeak-ng")
    key = hashlib.sha256(f"{rate}|{text}".encode()).hexdigest()[:16]
    out = CACHE / "espeak" / f"{key}.wav"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp.wav")
        subprocess.run(
            ["espeak-ng", "-v", "en-us", "-s", str(rate), "-w", str(tmp), text], check=True
        )
        os.replace(tmp, out)
    return out


def build_audio(minutes: float, products: int, out: Path, seed: int = 7) -> dict:
    """A mono wav: one product slot after another (pitch with short gaps, a filler, dead air)."""
    rng = random.Random(seed)
    total = int(minutes * 60)
    slot = total / products
    rate = 22050
    spans = []
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        written = 0

        def silence(seconds: float) -> None:
            nonlocal written
            frames = int(seconds * rate)
            chunk = b"\0\0" * min(frames, rate * 10)
            while frames > 0:
                n = min(frames, len(chunk) // 2)
                w.writeframes(chunk[: n * 2])
                frames -= n
                written += n

        def speak(text: str) -> None:
            nonlocal written
            with wave.open(str(espeak(text)), "rb") as r:
                assert r.getframerate() == rate and r.getsampwidth() == 2
                data = r.readframes(r.getnframes())
            w.writeframes(data)
            written += len(data) // 2

        silence(3.0)
        speak("Hey everyone, welcome back to the live stream, we have great deals today.")
        for i in range(products):
            start = written / rate
            for line in pitch_lines(i + 1, PRODUCTS[i % len(PRODUCTS)]):
                speak(line)
                silence(rng.uniform(0.4, 1.5))
            spans.append(
                {"product": i + 1, "start": round(start, 2), "end": round(written / rate, 2)}
            )
            silence(rng.uniform(3, 8))
            speak(rng.choice(FILLERS))
            end_of_slot = (i + 1) * slot
            silence(max(0.5, end_of_slot - written / rate))
        silence(max(0.0, total - written / rate))
    speech = sum(s["end"] - s["start"] for s in spans)
    return {"duration_seconds": total, "pitch_seconds": round(speech, 1), "products": spans}


def build_stream(minutes: float, size: str, products: int) -> tuple[Path, dict]:
    """The synthetic recording (cached): looped test pattern video + the pitches as AAC."""
    name = f"stream-{minutes:g}min-{size}-{products}p"
    video = CACHE / f"{name}.mp4"
    info_path = CACHE / f"{name}.json"
    if video.is_file() and info_path.is_file():
        return video, json.loads(info_path.read_text(encoding="utf-8"))
    CACHE.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        tmpd = Path(tmp)
        info = build_audio(minutes, products, tmpd / "audio.wav")
        # Ten seconds of moving test pattern, looped by stream copy: cheap to make at any length.
        ffmpeg("-f", "lavfi", "-i", f"testsrc2=s={size}:r=25:d=10", "-c:v", "libx264",
               "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "50", "-keyint_min", "50",
               "-sc_threshold", "0", str(tmpd / "loop.mp4"))  # fmt: skip
        seconds = info["duration_seconds"]
        ffmpeg("-stream_loop", "-1", "-i", str(tmpd / "loop.mp4"), "-i", str(tmpd / "audio.wav"),
               "-map", "0:v", "-map", "1:a", "-t", str(seconds), "-c:v", "copy",
               "-c:a", "aac", "-b:a", "96k", "-ar", "44100", "-ac", "2",
               "-movflags", "+faststart", str(tmpd / "stream.mp4"))  # fmt: skip
        os.replace(tmpd / "stream.mp4", video)
    info.update(
        size=size,
        file_bytes=video.stat().st_size,
        build_seconds=round(time.monotonic() - started, 1),
    )
    info_path.write_text(json.dumps(info, indent=2), encoding="utf-8")
    return video, info


# --- measuring a process tree --------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
            out += [int(c) for c in text.split()]
    except OSError:
        pass
    return out


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def _du(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
    return total


class TreeSampler(threading.Thread):
    """Peak RSS of a process tree and peak disk use of some folders, sampled."""

    def __init__(self, pid: int, folders: dict[str, Path], every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.folders = folders
        self.every = every
        self.stop = threading.Event()
        self.peak_tree_kb = 0
        self.peak_tree_detail: list[tuple[str, float]] = []
        self.peak_main_kb = 0
        self.peak_disk = dict.fromkeys(folders, 0)
        self.largest_files: dict[str, int] = {}

    def run(self) -> None:
        tick = 0
        while not self.stop.is_set():
            pids, todo = [], [self.pid]
            while todo:
                p = todo.pop()
                pids.append(p)
                todo += _children(p)
            rss = {p: _status_kb(p, "VmRSS") for p in pids}
            tree = sum(rss.values())
            if tree > self.peak_tree_kb:
                self.peak_tree_kb = tree
                self.peak_tree_detail = sorted(
                    ((_comm(p), round(kb / 1024, 1)) for p, kb in rss.items() if kb),
                    key=lambda x: -x[1],
                )
            self.peak_main_kb = max(self.peak_main_kb, _status_kb(self.pid, "VmHWM"))
            if tick % 10 == 0:  # disk every 2 s: walking folders costs more
                for name, folder in self.folders.items():
                    self.peak_disk[name] = max(self.peak_disk[name], _du(folder))
                    for root, _d, files in os.walk(folder):
                        for f in files:
                            p = os.path.join(root, f)
                            try:
                                size = os.path.getsize(p)
                            except OSError:
                                continue
                            if size > self.largest_files.get(p, 0):
                                self.largest_files[p] = size
            tick += 1
            self.stop.wait(self.every)


# --- running clipora ------------------------------------------------------------------------------


def clipora_argv() -> list[str]:
    script = Path(sys.executable).with_name("clipora")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "clipora_core.cli"]


def run_clipora(video: Path, work: Path, sets: list[str]) -> dict:
    """``clipora run`` with default config in a fresh workdir; times, memory, disk, outputs."""
    workdir = work / "workdir"
    tmpdir = work / "tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)
    config = work / "clipora.yaml"
    config.write_text(f"paths:\n  workdir: {json.dumps(str(workdir))}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIPORA_")}
    if "CLIPORA_CACHE_DIR" in os.environ:  # the model cache may stay where the user keeps it
        env["CLIPORA_CACHE_DIR"] = os.environ["CLIPORA_CACHE_DIR"]
    env.update(CLIPORA_CONFIG=str(config), TMPDIR=str(tmpdir))
    args = [*clipora_argv(), "run", str(video), "--log-level", "warning"]
    for s in sets:
        args += ["--set", s]
    load_before = os.getloadavg()
    started = time.monotonic()
    cpu0 = os.times()
    with open(work / "clipora.log", "wb") as log:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, env=env)
        sampler = TreeSampler(proc.pid, {"workdir": workdir, "tmp": tmpdir})
        sampler.start()
        stdout, _ = proc.communicate()
        sampler.stop.set()
        sampler.join()
    wall = time.monotonic() - started
    cpu1 = os.times()
    if proc.returncode != 0:
        sys.exit(f"clipora run failed ({proc.returncode}); see {work / 'clipora.log'}")
    job = Path(stdout.decode().strip().splitlines()[-1])
    manifest = json.loads((job / "manifest.json").read_text(encoding="utf-8"))
    stages = {}
    for name, st in manifest["stages"].items():
        if st.get("started_at") and st.get("finished_at"):
            a = datetime.fromisoformat(st["started_at"])
            b = datetime.fromisoformat(st["finished_at"])
            stages[name] = {
                "seconds": round((b - a).total_seconds(), 2),
                "detail": st.get("detail", ""),
            }
    result = json.loads((job / "renders" / "execution_result.json").read_text(encoding="utf-8"))
    source_bytes = video.stat().st_size
    big = {
        str(Path(p).relative_to(work)): size
        for p, size in sorted(sampler.largest_files.items(), key=lambda kv: -kv[1])[:5]
    }
    return {
        "wall_seconds": round(wall, 1),
        "cpu_seconds_children": round(
            (cpu1.children_user + cpu1.children_system)
            - (cpu0.children_user + cpu0.children_system),
            1,
        ),
        "stages": stages,
        "peak_rss_main_mb": round(sampler.peak_main_kb / 1024, 1),
        "peak_rss_tree_processes_mb": sampler.peak_tree_detail,
        "peak_rss_tree_mb": round(sampler.peak_tree_kb / 1024, 1),
        "peak_workdir_mb": round(sampler.peak_disk["workdir"] / 2**20, 1),
        "peak_tmp_mb": round(sampler.peak_disk["tmp"] / 2**20, 1),
        "source_mb": round(source_bytes / 2**20, 1),
        "largest_files_mb": {k: round(v / 2**20, 1) for k, v in big.items()},
        "full_copy_of_source": any(v >= 0.5 * source_bytes for v in big.values()),
        "items": len(manifest["outputs"].get("semantic_items", [])),
        "clips_ok": result["success_count"],
        "clips_failed": result["failure_count"],
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "job": str(job),
        "source_path": str(video),
    }


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now().isoformat(timespec="seconds"),
    }


def save(name: str, data: dict, docs: bool) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {path}")
    if docs:
        # Only this bench's section: other results on this machine may be partial or stale.
        subprocess.run(
            [sys.executable, str(REPO / "scripts" / "update_performance.py"), name], check=True
        )
    return path


def run_bench(
    name: str, minutes: float, size: str, products: int, sets: list[str], keep: bool
) -> dict[str, Any]:
    """Build (or reuse) the synthetic stream, run `clipora run` on it, return the results."""
    t0 = time.monotonic()
    video, info = build_stream(minutes, size, products)
    print(
        f"source: {video} ({info['file_bytes'] / 2**20:.0f} MB, built in {info['build_seconds']} s"
        f", ready after {time.monotonic() - t0:.1f} s)"
    )
    work = Path(tempfile.mkdtemp(prefix=f"clipora-{name}-"))
    try:
        run = run_clipora(video, work, sets)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return {
        "bench": name,
        "machine": machine(),
        "source": {k: v for k, v in info.items() if k != "products"},
        "products_spoken": len(info["products"]),
        "sets": sets,
        **run,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--products", type=int, default=20)
    ap.add_argument(
        "--set", dest="sets", action="append", default=[], help="extra --set for clipora"
    )
    ap.add_argument("--keep", action="store_true", help="keep the job folder")
    ap.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = ap.parse_args()

    data = run_bench("pipeline", args.minutes, args.size, args.products, args.sets, args.keep)
    print(json.dumps({k: v for k, v in data.items() if k not in ("machine",)}, indent=2))
    save(
        "pipeline"
        if args.minutes == 60 and args.size == "1280x720"
        else f"pipeline-{args.minutes:g}min-{args.size}",
        data,
        not args.no_docs,
    )


if __name__ == "__main__":
    main()
