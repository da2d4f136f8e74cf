"""Tiny media for the web tests: a 70 s 160x120 test-pattern video with a tone, and an English
live-commerce transcript for it (one product), so ``asr.mode=import`` skips speech recognition."""

from __future__ import annotations

import subprocess
from pathlib import Path

# (start, end, text): the first product of examples/demo_scripts/en.json, as Whisper timed it.
SCRIPT: list[tuple[float, float, str]] = [
    (0.0, 2.86, "Hey everyone, welcome back to the live stream."),
    (3.42, 6.36, "If you just joined, hit that follow button."),
    (6.72, 8.82, "We have three amazing deals for you today."),
    (
        10.0,
        15.14,
        "Um, let's wait a few seconds for more people to come in, and then we'll get started.",
    ),
    (
        18.55,
        23.99,
        "Okay, let's start with our first product of the day, this insulated water bottle.",
    ),
    (
        24.51,
        30.87,
        "This water bottle is double wall stainless steel, so it keeps drinks cold for 24 hours and",
    ),
    (30.87, 31.83, "hot for 12."),
    (
        31.83,
        38.83,
        "It holds 24 ounces, it fits in your car cup holder, and the lid is completely leak proof.",
    ),
    (39.47, 44.41, "You can open it with one hand, and it comes in white, black, and sage green."),
    (
        45.09,
        51.95,
        "So, this water bottle normally sells for 49 dollars, but today it's only 29 dollars, right",
    ),
    (51.95, 52.97, "here on the stream."),
    (53.65, 56.39, "We only have 50 on hand, so don't wait."),
    (56.87, 57.25, "Ready?"),
    (57.73, 60.21, "The link is up, 3, 2, 1."),
    (60.91, 64.31, "Yes, link number 1 is live, so grab it now."),
    (66.19, 67.91, "Alright, next product."),
]
DURATION = 70.0


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def make_video(path: Path, seconds: float = DURATION, size: str = "160x120") -> Path:
    subprocess.run(
        [
            ffmpeg(), "-nostdin", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", f"testsrc2=s={size}:r=10:d={seconds}",
            "-f", "lavfi", "-i", f"sine=f=440:r=16000:d={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "20", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def _ts(t: float) -> str:
    ms = int(round(t * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def make_srt(path: Path) -> Path:
    lines = []
    for i, (start, end, text) in enumerate(SCRIPT, 1):
        lines += [str(i), f"{_ts(start)} --> {_ts(end)}", text, ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def make_speech_video(path: Path, text: str) -> Path:
    """A video whose audio is espeak-ng English speech (for a stage that takes a while)."""
    wav = path.with_suffix(".wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "170", "-w", str(wav), text], check=True)
    subprocess.run(
        [
            ffmpeg(), "-nostdin", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", "testsrc2=s=160x120:r=10", "-i", str(wav),
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


# A recording whose picture freezes for 6 s between two products (cleaning cuts it out), and its
# pitch, timed on the recording: (start, end, text).
FREEZE = (12.0, 18.0)
FROZEN_DURATION = 30.0
FROZEN_PITCH: list[tuple[float, float, str]] = [
    (0.5, 3.0, "First product is this water bottle."),
    (3.0, 6.0, "The water bottle is stainless steel and keeps drinks cold all day."),
    (6.0, 9.0, "It is usually $49, today only $29."),
    (9.0, 11.5, "The link is up, grab the water bottle now."),
    (13.0, 16.0, "Sorry, the camera is stuck, one moment."),
    (18.5, 21.0, "Next product is this phone stand."),
    (21.0, 24.0, "The phone stand folds flat and fits in any bag."),
    (24.0, 27.0, "The phone stand is usually $25, today only $15."),
    (27.0, 29.5, "The link is up for the phone stand."),
]


def make_frozen_video(path: Path) -> Path:
    """``path`` (25 fps, lossless so the freeze is exact to the frame) and its SRT beside it."""
    fps = 25
    first, last = int(FREEZE[0] * fps), int(FREEZE[1] * fps) - 1
    subprocess.run(
        [
            ffmpeg(), "-nostdin", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", f"testsrc2=s=160x120:r={fps}:d={FROZEN_DURATION}",
            "-f", "lavfi", "-i", f"sine=f=440:r=16000:d={FROZEN_DURATION}",
            "-filter_complex",
            f"[0:v]split[a][b];[a][b]freezeframes=first={first}:last={last}:replace={first}[v]",
            "-map", "[v]", "-map", "1:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p",
            "-g", "50", "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip
    lines = []
    for i, (start, end, text) in enumerate(FROZEN_PITCH, 1):
        lines += [str(i), f"{_ts(start)} --> {_ts(end)}", text, ""]
    path.with_suffix(".srt").write_text("\n".join(lines), encoding="utf-8")
    return path
