"""End-to-end benchmark: ``clipora run`` on a realistic synthetic 60-minute 720p30 livestream.

    uv run python bench/pipeline.py                    # the realistic hour -> results "pipeline"
    uv run python bench/pipeline.py --scaling 20,60,180  # the same request at 20, 60, 180 min
    uv run python bench/pipeline.py --seller           # the seller's request, 4-minute recording
    options: [--minutes M] [--products N] [--freezes K] [--size WxH] [--set K=V] [--keep]
             [--no-docs] [--tag TAG]   (a size other than the default, or a tag, writes
                                        results under another name and leaves the docs alone)

What it builds (once per length, cached in bench/.cache/; the espeak-ng lines are cached one wav
per line, so a second length reuses most of them):

* audio: a host who talks almost all the time, as livestream hosts do. About one product per
  3 minutes (20 in the hour), each pitched continuously until its slot is used up: opening,
  features, price, "link number N", viewers' questions answered, the product's name repeated,
  a last call; lines are espeak-ng English (en-us, 165 wpm) trimmed of espeak's own silence,
  with pauses of 0.2-0.8 s between them and a little filler chat between products. Speech
  covers about 85-90 % of the recording (over 45 minutes in the hour).
* video: 720p **30 fps** H.264 (x264 veryfast, about 2.5 Mbit/s capped, B-frames, a keyframe
  every 2 s: ``-g 60``), as livestream recordings are, plus AAC audio. Moving test pattern
  (``testsrc2``) encoded once for 10 s (plus a short piece where a freeze cuts in) and repeated
  by the concat demuxer with stream copy, so building stays cheap: a minute or two for an hour,
  mostly espeak-ng (first build only) and the AAC encode.
* three **freezes** (one in ``--seller``): spans of 6-20 s where the picture is a still frame
  (the last moving frame, encoded with the same codec settings and spliced in by stream copy)
  and the sound is silent, as when a stream stalls. The speech under a freeze is lost.

The request (as a user would run it): cleaning on (``cleaning.enabled=true``: the freeze
cleaner), burned subtitles and plain clips (``render_subtitles.mode=both``), default variants,
local Whisper base, offline analyzer; ``--seller`` adds ``render.playback_speed=1.2``. Each run
uses a fresh workdir, so the ASR cache (``<workdir>/_cache/asr``) never answers from an earlier
run; the run fails if it reports a cache hit. Recorded:

* per-stage wall time from the job manifest's ``started_at`` / ``finished_at`` (clips render
  while items are analyzed, so most render work is inside ``analyze``);
* wall time and CPU seconds (user + system of clipora and all its children);
* peak RSS: of the clipora process (``VmHWM``) and of the whole process tree (sum of the RSS of
  clipora and its ffmpeg children, sampled every 0.2 s; a child between fork and exec, which
  shares its parent's pages, is not counted twice);
* peak disk used by the job folder and by the temporary folder (``TMPDIR``, private to the run);
* which freezes the cleaner removed, against the ones built in;
* the machine's load average before and after (it is shared).

Targets on 2 cores for the hour: under 6 minutes end to end, peak process-tree RSS under 1 GB.
``--scaling`` shows whether time and memory per recorded hour stay flat as recordings grow
(one product per 3 minutes, three freezes each). Results go to bench/results/pipeline.json,
pipeline_scaling.json, pipeline_seller.json (other sizes: names with the size in them, no docs)
and into docs/performance.md through scripts/update_performance.py. Not run by pytest.
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
GENERATOR = "live2"  # in the cached file names: bump when the generator changes

REQUEST = ["cleaning.enabled=true", "render_subtitles.mode=both"]
SELLER_REQUEST = [*REQUEST, "render.playback_speed=1.2"]
MINUTES_PER_PRODUCT = 3

# (name, feature, another feature, usual price, today's price): 60 different products, so that a
# 3-hour stream does not pitch the same product twice.
PRODUCTS = [
    ("insulated water bottle", "keeps drinks cold for twenty four hours",
     "fits in your car cup holder", 49, 29),
    ("face cream", "is super moisturizing for dry skin", "has hyaluronic acid and ceramides",
     59, 39),
    ("pair of wireless earbuds", "have active noise cancelling",
     "last thirty hours with the case", 120, 75),
    ("blender", "has a one thousand watt motor", "crushes ice in ten seconds", 120, 79),
    ("electric kettle", "boils a liter of water in three minutes",
     "turns itself off when it is done", 55, 35),
    ("bread toaster", "has four wide slots", "can toast bagels on one side", 45, 29),
    ("yoga mat", "is six millimeters thick", "does not slip even when you sweat", 40, 25),
    ("desk lamp", "has five brightness levels", "charges your phone wirelessly", 60, 38),
    ("backpack", "has a padded laptop sleeve", "is completely waterproof", 80, 49),
    ("phone charger", "charges two phones at once", "folds flat for travel", 35, 19),
    ("coffee grinder", "has fifteen grind settings", "is quiet enough for early mornings",
     70, 45),
    ("rice cooker", "cooks perfect rice in twenty minutes", "keeps it warm for twelve hours",
     90, 59),
    ("hair dryer", "dries your hair in five minutes", "has a cool shot button", 85, 55),
    ("pair of running shoes", "weigh only two hundred grams", "have a soft foam sole", 110, 69),
    ("sunscreen", "is SPF fifty", "does not leave a white cast", 25, 15),
    ("vacuum cleaner", "runs for sixty minutes on one charge", "picks up pet hair easily",
     199, 129),
    ("air fryer", "uses no oil at all", "has a five liter basket", 99, 65),
    ("smart watch", "tracks your sleep and heart rate", "lasts ten days on one charge", 150, 99),
    ("throw blanket", "is soft and warm", "can go in the washing machine", 50, 32),
    ("frying pan", "has a non stick coating", "works on induction stoves", 65, 42),
    ("electric toothbrush", "has five cleaning modes", "lasts a month on one charge", 80, 49),
    ("travel pillow", "is made of memory foam", "packs into a tiny bag", 35, 19),
    ("bluetooth speaker", "plays music for twenty hours", "can fall in the pool", 90, 59),
    ("robot vacuum", "maps your whole home", "empties itself into the base", 399, 249),
    ("stand mixer", "has a five liter steel bowl", "comes with three attachments", 250, 169),
    ("silk pillowcase", "is gentle on your hair", "keeps your skin hydrated overnight", 45, 28),
    ("laptop stand", "raises your screen to eye level", "folds into your bag", 45, 27),
    ("mechanical keyboard", "has hot swappable switches", "lights up in any color", 130, 85),
    ("gaming mouse", "weighs only sixty grams", "has a very precise sensor", 80, 49),
    ("ring light", "has three color temperatures", "comes with a phone holder", 40, 24),
    ("portable monitor", "is fifteen inches and full HD", "runs from one USB cable", 199, 139),
    ("standing desk", "goes up and down at the push of a button", "remembers four heights",
     450, 299),
    ("office chair", "has adjustable lumbar support", "has breathable mesh", 299, 199),
    ("massage gun", "has six speeds", "is quieter than a fan", 150, 89),
    ("foam roller", "loosens tight muscles", "is light enough to carry to the gym", 30, 18),
    ("set of resistance bands", "has five levels", "fits in a small pouch", 35, 19),
    ("adjustable dumbbell", "goes from two to twenty four kilos",
     "replaces fifteen sets of weights", 350, 229),
    ("jump rope", "counts your jumps", "has a cable that never tangles", 25, 14),
    ("camping tent", "sets up in one minute", "sleeps four people", 180, 119),
    ("sleeping bag", "keeps you warm down to minus five degrees", "packs down small", 90, 59),
    ("headlamp", "shines three hundred lumens", "charges over USB", 30, 18),
    ("cast iron skillet", "comes seasoned and ready to cook", "goes from the stove to the oven",
     60, 39),
    ("knife set", "is made of German steel", "comes with a wooden block", 150, 95),
    ("bamboo cutting board", "is really sturdy", "has a groove that catches the juice", 35, 22),
    ("set of food containers", "is completely leak proof", "is safe in the microwave", 40, 25),
    ("slow cooker", "has a six liter pot", "keeps your food warm all day", 70, 45),
    ("espresso machine", "has fifteen bars of pressure", "steams milk for lattes", 299, 199),
    ("juicer", "presses the juice slowly", "comes apart in seconds for cleaning", 150, 99),
    ("waffle maker", "makes two waffles at once", "beeps when they are ready", 45, 29),
    ("electric grill", "does not smoke", "has a removable drip tray", 120, 79),
    ("humidifier", "runs quietly all night", "has a four liter tank", 60, 39),
    ("air purifier", "has a true HEPA filter", "cleans a large room in fifteen minutes",
     180, 119),
    ("space heater", "heats a room in minutes", "turns off if it tips over", 70, 45),
    ("tower fan", "has twelve speeds", "comes with a remote", 80, 49),
    ("mattress topper", "is eight centimeters of memory foam", "helps with back pain", 150, 95),
    ("makeup brush set", "has twelve soft brushes", "comes in a travel case", 40, 22),
    ("lipstick set", "has six shades", "does not smudge", 45, 27),
    ("curling iron", "heats up in thirty seconds", "has a ceramic barrel", 65, 39),
    ("electric shaver", "has three flexible heads", "works wet or dry", 110, 69),
    ("bottle of perfume", "smells like fresh flowers", "lasts all day on your skin", 95, 59),
]  # fmt: skip
VIEWERS = ["Sarah", "Mike", "Jenny", "David", "Lisa", "Tom", "Emma", "Kevin", "Anna", "Chris"]
ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen"]  # fmt: skip
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def say_number(n: int) -> str:
    if n < 20:
        return ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens] + (f" {ONES[ones]}" if ones else "")
    return str(n)


def pitch_script(n: int, product: tuple) -> tuple[list[str], list[str], list[str]]:
    """Product ``n``'s lines: opening (in order), body (said in any order, repeated as long as
    the slot lasts), closing."""
    name, f1, f2, was, now = product
    num = say_number(n)
    opening = [
        f"Okay everyone, next up is product number {num}, this {name}.",
        f"Let me tell you all about this {name}.",
    ]
    body = [
        f"This {name} {f1}.",
        f"The {name} also {f2}, which I really love.",
        f"Honestly, I have been using this {name} every day for two weeks.",
        f"The {name} normally sells for {was} dollars, but today it is only {now} dollars.",
        f"The link is up, link number {num}, three, two, one, go!",
        "{v} is asking if it comes in other colors. Yes, we have black, white and blue.",
        f"{{v}} wants to know about shipping. The {name} ships for free within two days.",
        f"Someone asked about the warranty. The {name} comes with a one year warranty.",
        f"Look at the quality of this {name}, you can see how well it is made.",
        f"Remember, it is link number {num} for the {name}.",
        f"{{v}} asks if it is worth it. For {now} dollars, the {name} is a steal.",
        "We only have fifty of these, and they are going really fast.",
        f"Let me show you the {name} one more time, look at this.",
        f"My sister has the {name} too, and she uses it every single day.",
        f"If you have any questions about the {name}, type them in the chat.",
        "{v} just bought one, thank you so much!",
        f"Again, the {name} {f1}.",
        f"And it {f2}, which is amazing at this price.",
        f"In the store, the {name} costs {was} dollars, here it is {now}.",
        f"{{v}} asks how big it is. The {name} is compact, so it fits anywhere.",
        f"A lot of you are asking about returns. You can return the {name} within thirty days.",
        f"The reviews on the {name} are amazing, almost five stars.",
        f"Tap link number {num} in the cart to get the {name}.",
        f"{{v}} asks if it makes a good gift. Yes, the {name} is a perfect gift.",
    ]
    closing = [f"Last call for the {name}, link number {num}, only {now} dollars."]
    return opening, body, closing


GREETING = "Hey everyone, welcome back to the live stream, we have great deals for you today."
FILLERS = [
    "Okay, let me grab some water.",
    "If you just joined, welcome, hit that follow button.",
    "Let me check the comments for a second.",
    "Thank you all for the likes, keep them coming.",
    "Hi {v}, welcome to the stream.",
    "We have so many great deals coming up, stay with me.",
    "Share the live with your friends, they will thank you.",
    "Okay, let me get the next one ready.",
]
GOODBYE = "That is all for today, thank you so much for watching, see you next time."


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


AUDIO_RATE = 22050


class _Voice:
    """espeak-ng lines as int16 samples, trimmed of espeak's own leading/trailing silence (kept:
    20 ms), so that the pauses between lines are the ones the script asks for. Only the trimmed
    bounds stay in memory; the samples are read again from the cached wav when written."""

    def __init__(self) -> None:
        self.bounds: dict[str, tuple[int, int]] = {}

    @staticmethod
    def _read(text: str):  # noqa: ANN205 - a numpy array
        import numpy as np

        with wave.open(str(espeak(text)), "rb") as r:
            assert r.getframerate() == AUDIO_RATE and r.getsampwidth() == 2
            return np.frombuffer(r.readframes(r.getnframes()), dtype=np.int16)

    def _bounds(self, text: str) -> tuple[int, int]:
        import numpy as np

        if text not in self.bounds:
            a = self._read(text)
            loud = np.flatnonzero(np.abs(a.astype(np.int32)) > 300)
            margin = AUDIO_RATE // 50
            self.bounds[text] = (
                (max(0, int(loud[0]) - margin), min(len(a), int(loud[-1]) + margin))
                if loud.size
                else (0, len(a))
            )
        return self.bounds[text]

    def length(self, text: str) -> int:
        a, b = self._bounds(text)
        return b - a

    def samples(self, text: str):  # noqa: ANN201 - a numpy array
        a, b = self._bounds(text)
        return self._read(text)[a:b]


def place_freezes(seconds: float, count: int, fps: int, rng: random.Random) -> list[tuple]:
    """``count`` freezes of 6-20 s (lengths spread over that range), one in each equal part of
    the recording, away from its ends; (start, end) in whole frames."""
    lengths = [6 + 14 * (k + rng.random()) / count for k in range(count)]
    rng.shuffle(lengths)
    out = []
    part = seconds / max(count, 1)
    for k, length in enumerate(lengths):
        start = part * k + rng.uniform(0.3, 0.7) * max(0.0, part - length)
        start = max(start, min(30.0, part * 0.25))
        a = round(start * fps)
        out.append((a, a + round(length * fps)))
    return out


def plan_speech(seconds: float, products: int, rng: random.Random, voice: _Voice) -> dict:
    """When each line is said: a list of (start sample, text) and each product's span."""
    total = int(seconds * AUDIO_RATE)
    slot = total / products
    said: list[tuple[int, str]] = []
    pos = 0

    def fits(text: str, until: float) -> bool:
        return pos + voice.length(text) <= until

    def say(text: str, pause: tuple[float, float] = (0.2, 0.8)) -> None:
        nonlocal pos
        said.append((pos, text))
        pos += voice.length(text) + int(rng.uniform(*pause) * AUDIO_RATE)

    def viewer(text: str) -> str:
        return text.replace("{v}", rng.choice(VIEWERS))

    spans = []
    pos = int(1.0 * AUDIO_RATE)
    say(GREETING)
    for i in range(products):
        n = i + 1
        slot_end = (i + 1) * slot if n < products else total - 5 * AUDIO_RATE
        chat_end = slot_end - 8 * AUDIO_RATE  # leaves time for a little filler chat
        opening, body, closing = pitch_script(n, PRODUCTS[i % len(PRODUCTS)])
        start = pos
        for line in opening:
            say(line)
        pool: list[str] = []
        closing_len = voice.length(closing[0]) + AUDIO_RATE
        while True:
            if not pool:
                pool = body[:]
                rng.shuffle(pool)
            line = viewer(pool.pop())
            if not fits(line, chat_end - closing_len):
                break
            say(line)
        for line in closing:
            say(line, (0.8, 1.5))
        spans.append({"product": n, "start": round(start / AUDIO_RATE, 2),
                      "end": round(pos / AUDIO_RATE, 2)})  # fmt: skip
        for _ in range(4):  # filler chat to the end of the slot
            line = viewer(rng.choice(FILLERS))
            if not fits(line, slot_end - 0.3 * AUDIO_RATE):
                break
            say(line)
        pos = max(pos, int(slot_end))
    if fits(GOODBYE, total):
        say(GOODBYE)
    return {"said": said, "products": spans, "total": total}


def _overlap(a0: int, a1: int, spans: list[tuple[int, int]]) -> int:
    return sum(max(0, min(a1, b1) - max(a0, b0)) for b0, b1 in spans)


def build_audio(
    minutes: float, products: int, freezes: list[tuple[int, int]], fps: int, out: Path, seed: int
) -> dict:
    """A mono wav of the plan, silent inside the freezes (the speech there is lost)."""
    import numpy as np

    rng = random.Random(seed)
    voice = _Voice()
    plan = plan_speech(minutes * 60, products, rng, voice)
    total = plan["total"]
    mute = [(a * AUDIO_RATE // fps, b * AUDIO_RATE // fps) for a, b in freezes]
    said = plan["said"]
    speech = 0
    longest_pause = 0
    last_end = None
    block = AUDIO_RATE * 10
    k = 0
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(AUDIO_RATE)
        for b0 in range(0, total, block):
            b1 = min(total, b0 + block)
            buf = np.zeros(b1 - b0, dtype=np.int16)
            j = k
            while j < len(said) and said[j][0] < b1:
                s0, text = said[j]
                a = voice.samples(text)
                s1 = s0 + len(a)
                lo, hi = max(s0, b0), min(s1, b1)
                if hi > lo:
                    buf[lo - b0 : hi - b0] = a[lo - s0 : hi - s0]
                if s1 <= b1:
                    k = j + 1
                j += 1
            for m0, m1 in mute:
                lo, hi = max(m0, b0), min(m1, b1)
                if hi > lo:
                    buf[lo - b0 : hi - b0] = 0
            w.writeframes(buf.tobytes())
    for s0, text in said:
        if s0 >= total:
            break
        s1 = min(total, s0 + voice.length(text))
        speech += (s1 - s0) - _overlap(s0, s1, mute)
        if last_end is not None:
            longest_pause = max(longest_pause, s0 - last_end - _overlap(last_end, s0, mute))
        last_end = s1
    pitch = sum(s["end"] - s["start"] for s in plan["products"])
    return {
        "duration_seconds": round(total / AUDIO_RATE, 3),
        "speech_seconds": round(speech / AUDIO_RATE, 1),
        "speech_share": round(speech / total, 3),
        "lines_spoken": sum(s0 < total for s0, _ in said),
        "distinct_lines": len({t for s0, t in said if s0 < total}),
        "longest_pause_outside_freezes_seconds": round(longest_pause / AUDIO_RATE, 2),
        "pitch_seconds": round(pitch, 1),
        "products": plan["products"],
    }


VIDEO_KBPS = 2500


def _x264(fps: int) -> list[str]:
    """The codec settings of every piece (they must match for the stream-copy splice)."""
    gop = str(2 * fps)
    return ["-c:v", "libx264", "-preset", "veryfast", "-b:v", f"{VIDEO_KBPS}k",
            "-maxrate", f"{VIDEO_KBPS}k", "-bufsize", f"{2 * VIDEO_KBPS}k", "-pix_fmt", "yuv420p",
            "-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
            "-video_track_timescale", str(fps * 512), "-an"]  # fmt: skip


def build_video(
    total_frames: int, size: str, fps: int, freezes: list[tuple[int, int]], tmpd: Path
) -> Path:
    """Video only: the moving pattern, still frames at the freezes; pieces joined by stream copy."""
    loop_frames = 10 * fps
    pattern = f"testsrc2=s={size}:r={fps}"
    pieces: dict[str, Path] = {}

    def moving(frames: int) -> Path:
        key = f"move{frames}"
        if key not in pieces:
            pieces[key] = tmpd / f"{key}.mp4"
            ffmpeg("-f", "lavfi", "-i", pattern, "-frames:v", str(frames), *_x264(fps),
                   str(pieces[key]))  # fmt: skip
        return pieces[key]

    def still(after_frame: int, frames: int, k: int) -> Path:
        """The pattern's frame ``after_frame`` held for ``frames`` frames."""
        png = tmpd / f"still{k}.png"
        ffmpeg("-f", "lavfi", "-i", pattern, "-vf", f"select=eq(n\\,{after_frame})",
               "-frames:v", "1", str(png))  # fmt: skip
        path = tmpd / f"still{k}.mp4"
        ffmpeg("-loop", "1", "-framerate", str(fps), "-i", str(png), "-frames:v", str(frames),
               *_x264(fps), str(path))  # fmt: skip
        return path

    entries: list[Path] = []
    at = 0
    for k, (a, b) in enumerate([*sorted(freezes), (total_frames, total_frames)]):
        full, rest = divmod(a - at, loop_frames)
        entries += [moving(loop_frames)] * full
        if rest:
            entries.append(moving(rest))
        if b > a:
            last = (rest or loop_frames) - 1
            entries.append(still(last, b - a, k))
        at = b
    _check_same_codec(sorted(set(entries)))
    listing = tmpd / "video.ffconcat"
    listing.write_text(
        "ffconcat version 1.0\n" + "".join(f"file '{p.name}'\n" for p in entries),
        encoding="utf-8",
    )
    return listing


def _check_same_codec(paths: list[Path]) -> None:
    import av

    seen = set()
    for p in paths:
        with av.open(str(p)) as c:
            s = c.streams.video[0]
            seen.add((bytes(s.codec_context.extradata or b""), s.time_base, s.average_rate))
    if len(seen) != 1:
        sys.exit(f"the video pieces differ in codec setup; cannot splice them: {paths}")


def _video_facts(path: Path) -> dict:
    """Frames, keyframe spacing and duration of the built file (from packets, no decoding)."""
    import av

    with av.open(str(path)) as c:
        v = c.streams.video[0]
        keys, frames, last = [], 0, 0
        for pkt in c.demux(v):
            if pkt.pts is None:
                continue
            frames += 1
            last = max(last, pkt.pts)
            if pkt.is_keyframe:
                keys.append(pkt.pts)
        tb = float(v.time_base)
        keys.sort()
        gaps = [(b - a) * tb for a, b in zip(keys, keys[1:], strict=False)]
        return {
            "video_frames": frames,
            "video_seconds": round((last * tb) + 1 / float(v.average_rate), 3),
            "max_keyframe_gap_seconds": round(max(gaps, default=0.0), 3),
            "video_codec": v.codec_context.name,
            "video_profile": v.codec_context.profile,
        }


def build_stream(
    minutes: float, size: str, products: int, freezes: int = 3, fps: int = 30
) -> tuple[Path, dict]:
    """The synthetic recording (cached): talking host, moving pattern, stalls; H.264 + AAC."""
    name = f"{GENERATOR}-{minutes:g}min-{size}p{fps}-{products}products-{freezes}freezes"
    video = CACHE / f"{name}.mp4"
    info_path = CACHE / f"{name}.json"
    if video.is_file() and info_path.is_file():
        return video, json.loads(info_path.read_text(encoding="utf-8"))
    CACHE.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    seed = 7
    total_frames = round(minutes * 60 * fps)
    spans = place_freezes(total_frames / fps, freezes, fps, random.Random(seed + 1))
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        tmpd = Path(tmp)
        info = build_audio(minutes, products, spans, fps, tmpd / "audio.wav", seed)
        listing = build_video(total_frames, size, fps, spans, tmpd)
        ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(tmpd / "audio.wav"),
               "-map", "0:v", "-map", "1:a", "-c:v", "copy",
               "-c:a", "aac", "-b:a", "96k", "-ar", "44100", "-ac", "2",
               "-t", f"{total_frames / fps:.6f}",
               "-movflags", "+faststart", str(tmpd / "stream.mp4"))  # fmt: skip
        facts = _video_facts(tmpd / "stream.mp4")
        if facts["video_frames"] != total_frames:
            sys.exit(f"built {facts['video_frames']} video frames, expected {total_frames}")
        os.replace(tmpd / "stream.mp4", video)
    info.update(
        size=size,
        fps=fps,
        video=f"H.264 (x264 veryfast, {VIDEO_KBPS} kbit/s capped, B-frames), keyframe every "
        f"{2 * fps} frames (2 s); AAC 96 kbit/s",
        gop_seconds=2.0,
        freezes=[
            {
                "start": round(a / fps, 3),
                "end": round(b / fps, 3),
                "seconds": round((b - a) / fps, 2),
            }
            for a, b in spans
        ],
        **facts,
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


def _same_image(child: int, parent: int) -> bool:
    try:
        a = Path(f"/proc/{child}/cmdline").read_bytes()
        b = Path(f"/proc/{parent}/cmdline").read_bytes()
        return a == b and os.readlink(f"/proc/{child}/exe") == os.readlink(f"/proc/{parent}/exe")
    except OSError:
        return False


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
        # When the clipora process itself was largest (sampled), to name the stage.
        self.peak_main_rss_kb = 0
        self.peak_main_at: datetime | None = None
        self.peak_disk = dict.fromkeys(folders, 0)
        self.largest_files: dict[str, int] = {}

    def run(self) -> None:
        tick = 0
        while not self.stop.is_set():
            pids, todo = [], [self.pid]
            while todo:
                p = todo.pop()
                pids.append(p)
                for c in _children(p):
                    # A child forked but not yet exec'd (subprocess start) shares all of its
                    # parent's pages: counting it would double the parent for a moment.
                    if not _same_image(c, p):
                        todo.append(c)
            rss = {p: _status_kb(p, "VmRSS") for p in pids}
            tree = sum(rss.values())
            if tree > self.peak_tree_kb:
                self.peak_tree_kb = tree
                self.peak_tree_detail = sorted(
                    ((_comm(p), round(kb / 1024, 1)) for p, kb in rss.items() if kb),
                    key=lambda x: -x[1],
                )
            self.peak_main_kb = max(self.peak_main_kb, _status_kb(self.pid, "VmHWM"))
            if rss.get(self.pid, 0) > self.peak_main_rss_kb:
                self.peak_main_rss_kb = rss[self.pid]
                self.peak_main_at = datetime.now().astimezone()
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


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def run_clipora(video: Path, work: Path, sets: list[str]) -> dict:
    """``clipora run`` in a fresh workdir (so no ASR cache); times, memory, disk, outputs."""
    workdir = work / "workdir"
    tmpdir = work / "tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)
    if workdir.exists():
        sys.exit(f"{workdir} exists: the run must start without an ASR cache")
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
    job_log = job / "logs" / "pipeline.log"
    if "action=cache_hit" in (job_log.read_text(errors="replace") if job_log.is_file() else ""):
        sys.exit(f"the ASR answered from its cache; see {job_log}")
    manifest = json.loads((job / "manifest.json").read_text(encoding="utf-8"))
    stages = {}
    peak_stage = ""
    for name, st in manifest["stages"].items():
        if st.get("started_at") and st.get("finished_at"):
            a = datetime.fromisoformat(st["started_at"])
            b = datetime.fromisoformat(st["finished_at"])
            at = sampler.peak_main_at
            if at is not None and a.tzinfo is not None and a <= at <= b:
                peak_stage = name
            stages[name] = {
                "seconds": round((b - a).total_seconds(), 2),
                "detail": st.get("detail", ""),
            }
    result = json.loads((job / "renders" / "execution_result.json").read_text(encoding="utf-8"))
    removed = _read_json(job / "clean" / "removed_intervals.json") or []
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
        "peak_rss_main_stage": peak_stage,
        "peak_rss_tree_processes_mb": sampler.peak_tree_detail,
        "peak_rss_tree_mb": round(sampler.peak_tree_kb / 1024, 1),
        "peak_workdir_mb": round(sampler.peak_disk["workdir"] / 2**20, 1),
        "peak_tmp_mb": round(sampler.peak_disk["tmp"] / 2**20, 1),
        "source_mb": round(source_bytes / 2**20, 1),
        "largest_files_mb": {k: round(v / 2**20, 1) for k, v in big.items()},
        "full_copy_of_source": any(v >= 0.5 * source_bytes for v in big.values()),
        "removed_intervals": [
            [round(r["start_seconds"], 3), round(r["end_seconds"], 3)] for r in removed
        ],
        "items": len(manifest["outputs"].get("semantic_items", [])),
        "clips_ok": result["success_count"],
        "clips_failed": result["failure_count"],
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "job": str(job),
        "source_path": str(video),
    }


def freezes_found(freezes: list[dict], removed: list[list[float]]) -> int:
    """Built-in freezes of which the cleaner removed at least 80 %."""
    found = 0
    for f in freezes:
        cut = sum(max(0.0, min(f["end"], e) - max(f["start"], s)) for s, e in removed)
        found += cut >= 0.8 * (f["end"] - f["start"])
    return found


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now().isoformat(timespec="seconds"),
    }


def documented_sections() -> set[str]:
    """The results names docs/performance.md has a section for (the others are trial sizes)."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import update_performance
    finally:
        sys.path.pop(0)
    return set(update_performance.SECTIONS)


def save(name: str, data: dict, docs: bool) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {path}")
    if docs and name in documented_sections():
        # Only this bench's section: other results on this machine may be partial or stale.
        subprocess.run(
            [sys.executable, str(REPO / "scripts" / "update_performance.py"), name], check=True
        )
    elif docs:
        print(f"docs/performance.md not updated: {name} is not a documented size")
    return path


def run_bench(
    name: str,
    minutes: float,
    size: str,
    products: int,
    sets: list[str],
    keep: bool,
    *,
    freezes: int = 3,
    fps: int = 30,
) -> dict[str, Any]:
    """Build (or reuse) the synthetic stream, run `clipora run` on it, return the results."""
    t0 = time.monotonic()
    video, info = build_stream(minutes, size, products, freezes, fps)
    print(
        f"source: {video} ({info['file_bytes'] / 2**20:.0f} MB, "
        f"{info['speech_seconds'] / 60:.1f} min of speech, freezes: {len(info['freezes'])}; "
        f"built in {info['build_seconds']} s, ready after {time.monotonic() - t0:.1f} s)",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix=f"clipora-{name}-"))
    try:
        run = run_clipora(video, work, sets)
    finally:
        if keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return {
        "bench": name,
        "machine": machine(),
        "source": {k: v for k, v in info.items() if k != "products"},
        "products_spoken": len(info["products"]),
        "freezes_removed": freezes_found(info["freezes"], run["removed_intervals"]),
        "sets": sets,
        **run,
    }


def per_hour(data: dict) -> dict:
    hours = data["source"]["duration_seconds"] / 3600
    return {
        "wall_seconds": round(data["wall_seconds"] / hours, 1),
        "cpu_seconds": round(data["cpu_seconds_children"] / hours, 1),
        "peak_rss_tree_mb": round(data["peak_rss_tree_mb"] / hours, 1),
    }


def _summary(data: dict) -> str:
    stages = ", ".join(f"{k} {v['seconds']:.0f} s" for k, v in data["stages"].items())
    return (
        f"{data['source']['duration_seconds'] / 60:g} min: wall {data['wall_seconds']:.0f} s, "
        f"CPU {data['cpu_seconds_children']:.0f} s, peak tree RSS "
        f"{data['peak_rss_tree_mb']:.0f} MB, freezes removed {data['freezes_removed']}/"
        f"{len(data['source']['freezes'])}; {stages}"
    )


def _name(base: str, default: bool, minutes: float, size: str, products: int) -> str:
    return base if default else f"{base}-{minutes:g}min-{size}-{products}p"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, help="length (default 60; --seller: 4)")
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--products", type=int, help="default: one per 3 minutes (--seller: 3)")
    ap.add_argument("--freezes", type=int, help="default 3 (--seller: 1)")
    ap.add_argument("--scaling", help="comma-separated lengths in minutes, e.g. 20,60,180")
    ap.add_argument("--seller", action="store_true", help="the seller's 4-minute request")
    ap.add_argument(
        "--set", dest="sets", action="append", default=[], help="extra --set for clipora"
    )
    ap.add_argument("--keep", action="store_true", help="keep the job folder")
    ap.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    ap.add_argument(
        "--tag", help="add -TAG to the results name (a trial run: leaves the real results alone)"
    )
    args = ap.parse_args()
    if args.scaling and args.seller:
        ap.error("--scaling and --seller are separate runs")
    size_default = args.size == "1280x720" and not args.sets

    def products_for(minutes: float) -> int:
        return max(1, round(minutes / MINUTES_PER_PRODUCT))

    if args.scaling:
        lengths = [float(x) for x in args.scaling.split(",") if x.strip()]
        if args.minutes is not None or args.products is not None:
            ap.error("--scaling sets the lengths and products itself")
        freezes = 3 if args.freezes is None else args.freezes
        default = size_default and lengths == [20, 60, 180] and freezes == 3
        name = "pipeline_scaling" if default else (
            f"pipeline_scaling-{'-'.join(f'{m:g}' for m in lengths)}min-{args.size}"
        )  # fmt: skip
        name += f"-{args.tag}" if args.tag else ""
        runs = []
        for minutes in lengths:
            data = run_bench(name, minutes, args.size, products_for(minutes),
                             [*REQUEST, *args.sets], args.keep, freezes=freezes)  # fmt: skip
            data["per_hour"] = per_hour(data)
            print(_summary(data), flush=True)
            if default and minutes == 60:
                # The same request on the same stream as the single realistic-hour run.
                save("pipeline", {**data, "bench": "pipeline"}, not args.no_docs)
            runs.append({k: v for k, v in data.items() if k not in ("machine", "bench")})
        out = {"bench": name, "machine": machine(), "sets": [*REQUEST, *args.sets], "runs": runs}
        print("\n".join(_summary(r) for r in runs))
        save(name, out, not args.no_docs)
        return

    if args.seller:
        minutes = 4 if args.minutes is None else args.minutes
        products = 3 if args.products is None else args.products
        freezes = 1 if args.freezes is None else args.freezes
        default = size_default and (minutes, products, freezes) == (4, 3, 1)
        name = _name("pipeline_seller", default, minutes, args.size, products)
        sets = [*SELLER_REQUEST, *args.sets]
    else:
        minutes = 60 if args.minutes is None else args.minutes
        products = products_for(minutes) if args.products is None else args.products
        freezes = 3 if args.freezes is None else args.freezes
        default = size_default and (minutes, products, freezes) == (60, 20, 3)
        name = _name("pipeline", default, minutes, args.size, products)
        sets = [*REQUEST, *args.sets]
    name += f"-{args.tag}" if args.tag else ""
    data = run_bench(name, minutes, args.size, products, sets, args.keep, freezes=freezes)
    data["per_hour"] = per_hour(data)
    print(json.dumps({k: v for k, v in data.items() if k not in ("machine",)}, indent=2))
    print(_summary(data))
    save(name, data, not args.no_docs)


if __name__ == "__main__":
    main()
