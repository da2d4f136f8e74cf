"""Constants and helpers shared by the Aliyun ASR tests (fixtures are in conftest.py)."""

from __future__ import annotations

import subprocess
from typing import Any

from aliyun_fake import sentence, word
from clipora_core.progress import StageProgress, format_fields

# Fake credentials, distinctive so a leak anywhere is easy to find.
AK_ID = "LTAI5tFAKEKEYID0123456"
AK_SECRET = "s3cretFAKEvalue9876543210abcdef"
APP_KEY = "appkeyFAKE4242"
BUCKET = "clipora-test-bucket"
SECRETS = (AK_ID, AK_SECRET, APP_KEY)
DURATION = 3.0


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


class RecordingProgress(StageProgress):
    """A real StageProgress that also keeps every event line, as the job log would get it."""

    def __init__(self) -> None:
        super().__init__(None, "semantic_discover")
        self.lines: list[str] = []
        self.fractions: list[float] = []

    def event(self, event: str, message: str = "", level: int = 20, **fields: Any) -> None:
        self.lines.append(" ".join(p for p in (event, message, format_fields(fields)) if p))
        super().event(event, message, level, **fields)

    def update(self, done: float, total: float | None = None, message: str = "") -> None:
        self.fractions.append(done / total if total else done)
        super().update(done, total, message)

    def text(self) -> str:
        return "\n".join(self.lines)


RUNNING = {"StatusCode": 21050001, "StatusText": "RUNNING"}
QUEUEING = {"StatusCode": 21050002, "StatusText": "QUEUEING"}


def success(words: bool = True) -> dict:
    result = {
        "Sentences": [
            # Out of order on purpose, and the second overlaps the first by 40 ms.
            sentence(1500, 2900, "今天只要一百二十九。"),
            sentence(200, 1540, "这款面霜非常滋润，"),
        ]
    }
    if words:
        result["Words"] = [
            word(200, 500, "这款"),
            word(500, 800, "面霜"),
            word(800, 1100, "非常"),
            word(1100, 1540, "滋润"),
            word(1500, 1800, "今天"),
            word(1800, 2100, "只要"),
            word(2100, 2950, "一百二十九"),  # past its sentence end: clamped
        ]
    return {"StatusCode": 21050000, "StatusText": "SUCCESS", "Result": result, "BizDuration": 3000}
