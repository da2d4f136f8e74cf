"""Tiny bad and awkward inputs for the reliability suite, made with the imageio-ffmpeg binary.

Every video is at most 320x240 and about ten seconds long. Each gets an SRT sidecar
(``<stem>.srt``) with a short product pitch, so ``asr.mode=import`` gives the offline analyzer
one product without running Whisper.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

DURATION = 10

PITCH_SRT = """\
1
00:00:00,500 --> 00:00:03,000
Okay, let's start with our first product, this insulated water bottle.

2
00:00:03,000 --> 00:00:06,000
This water bottle is stainless steel and keeps drinks cold for twenty four hours.

3
00:00:06,000 --> 00:00:09,000
It normally sells for 49 dollars, but today it's only 29 dollars. The link is up!
"""


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg(*args: str) -> None:
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        capture_output=True,
    )


def has_encoder(name: str) -> bool:
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-encoders"], capture_output=True, text=True
    ).stdout
    return any(line.split()[1:2] == [name] for line in out.splitlines() if line.strip())


def with_sidecar(video: Path) -> Path:
    video.with_suffix(".srt").write_text(PITCH_SRT, encoding="utf-8")
    return video


_LAVFI_V = f"testsrc2=s=320x240:r=15:d={DURATION}"
_LAVFI_A = f"sine=f=440:sample_rate=44100:d={DURATION}"
_X264 = ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "30")


def good(out: Path) -> Path:
    """H.264 + AAC MP4, 320x240, 10 s."""
    ffmpeg("-f", "lavfi", "-i", _LAVFI_V, "-f", "lavfi", "-i", _LAVFI_A, *_X264,
           "-c:a", "aac", "-b:a", "64k", "-shortest", str(out))  # fmt: skip
    return with_sidecar(out)


def remux(src: Path, out: Path, *extra: str) -> Path:
    ffmpeg(*extra, "-i", str(src), "-c", "copy", str(out))
    return with_sidecar(out)


def truncated(src: Path, out: Path) -> Path:
    """An MP4 cut short while recording: ``moov`` sits at the end, so cutting loses it."""
    data = src.read_bytes()
    assert data.find(b"moov") > len(data) // 2, "expected moov at the end"
    out.write_bytes(data[: len(data) // 2])
    return with_sidecar(out)


def audio_only(out: Path) -> Path:
    ffmpeg("-f", "lavfi", "-i", _LAVFI_A, "-c:a", "aac", str(out))
    return with_sidecar(out)


def no_audio(out: Path) -> Path:
    ffmpeg("-f", "lavfi", "-i", _LAVFI_V, *_X264, str(out))
    return with_sidecar(out)


def vfr(out: Path) -> Path:
    """Frames 10 fps for 5 s, then 30 fps: a real variable frame rate stream."""
    expr = "if(lt(N\\,50)\\,N/10\\,5+(N-50)/30)/TB"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=15", "-f", "lavfi", "-i", _LAVFI_A,
           "-vf", f"select='lt(n\\,50)+gte(n\\,150)',setpts='{expr}'", "-fps_mode", "vfr",
           *_X264, "-c:a", "aac", "-t", str(DURATION), str(out))  # fmt: skip
    return with_sidecar(out)


def rotated(src: Path, out: Path) -> Path:
    """A phone recording: 320x240 coded, displayed rotated by 90 degrees (portrait)."""
    return remux(src, out, "-display_rotation", "90")


def odd_size(out: Path) -> Path:
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=321x241:r=15:d={DURATION}", "-f", "lavfi",
           "-i", _LAVFI_A, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p",
           "-c:a", "aac", "-shortest", str(out))  # fmt: skip
    return with_sidecar(out)


def hevc_10bit(out: Path) -> Path:
    ffmpeg("-f", "lavfi", "-i", _LAVFI_V, "-f", "lavfi", "-i", _LAVFI_A, "-c:v", "libx265",
           "-preset", "ultrafast", "-pix_fmt", "yuv420p10le", "-x265-params", "log-level=error",
           "-tag:v", "hvc1", "-c:a", "aac", "-shortest", str(out))  # fmt: skip
    return with_sidecar(out)


def text_as_mp4(out: Path) -> Path:
    out.write_text("this is not a video, just text with a video's name\n" * 20, encoding="utf-8")
    return with_sidecar(out)


def unicode_path(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "直播 录像 (1).mp4"
    shutil.copyfile(src, out)
    return with_sidecar(out)
