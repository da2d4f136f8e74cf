"""Running the real ``clipora`` command in a subprocess, and checking what it leaves on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STAGE_COMMANDS = ("clean", "inspect", "semantic-discover", "semantic-cluster", "analyze", "render")
STAGE_OF_COMMAND = {c: c.replace("-", "_") for c in STAGE_COMMANDS}

# Fast, offline and speech-free unless a test says otherwise: the transcript comes from the
# ``<stem>.srt`` sidecar next to each video, and the pitch is short, so items of 2 s count.
BASE_CONFIG = """\
asr:
  mode: import
analysis:
  semantic_min_duration_seconds: 2
concurrency:
  render: 1
"""


def clipora_argv() -> list[str]:
    script = Path(sys.executable).with_name("clipora")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "clipora_core.cli"]


@dataclass
class Result:
    args: tuple[str, ...]
    rc: int
    out: str
    err: str

    @property
    def job(self) -> Path:
        lines = [ln for ln in self.out.splitlines() if ln.strip()]
        assert lines, f"no job path on stdout for {self.args}: {self.err}"
        return Path(lines[-1])

    @property
    def error_lines(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if ln.startswith("[clipora] error:")]

    def describe(self) -> str:
        return f"clipora {' '.join(self.args)} -> rc={self.rc}\n--- stderr ---\n{self.err[-3000:]}"


class Clipora:
    """One isolated user: own config file, own workdir, no CLIPORA_* from the test's env."""

    def __init__(
        self,
        home: Path,
        extra_config: str = "",
        cache_dir: Path | None = None,
        workdir: Path | None = None,
    ) -> None:
        self.home = home
        self.cache_dir = cache_dir
        self.workdir = workdir or home / "workdir"
        self.config = home / "clipora.yaml"
        home.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f"paths:\n  workdir: {json.dumps(str(self.workdir))}\n{BASE_CONFIG}{extra_config}",
            encoding="utf-8",
        )

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLIPORA_")}
        env.update(CLIPORA_CONFIG=str(self.config), HOME=str(self.home), PYTHONUNBUFFERED="1")
        if self.cache_dir is not None:  # the joined Whisper weights, shared by the session
            env["CLIPORA_CACHE_DIR"] = str(self.cache_dir)
        return env

    def argv(self, *args: str | Path) -> list[str]:
        return [*clipora_argv(), *(str(a) for a in args)]

    def run(self, *args: str | Path, timeout: float = 300) -> Result:
        proc = subprocess.run(
            self.argv(*args),
            capture_output=True,
            text=True,
            env=self.env(),
            timeout=timeout,
            cwd=self.home,
        )
        return Result(tuple(str(a) for a in args), proc.returncode, proc.stdout, proc.stderr)

    def popen(self, *args: str | Path, log: Path) -> subprocess.Popen[bytes]:
        fh = open(log, "wb")  # noqa: SIM115 - the child owns it; closed when the test ends
        return subprocess.Popen(
            self.argv(*args), stdout=fh, stderr=subprocess.STDOUT, env=self.env(), cwd=self.home
        )

    def jobs(self) -> list[Path]:
        if not self.workdir.is_dir():
            return []
        return sorted(p for p in self.workdir.iterdir() if (p / "manifest.json").is_file())


# --- assertions ----------------------------------------------------------------------------------


def assert_ok(res: Result) -> Result:
    assert res.rc == 0, res.describe()
    assert "Traceback" not in res.err, res.describe()
    assert not res.error_lines, res.describe()
    return res


def assert_one_line_error(res: Result, *fragments: str, rc: int = 1) -> str:
    """Exit status ``rc``, exactly one ``[clipora] error:`` line holding every fragment, no
    traceback, and nothing on stdout (a failed command prints no job path)."""
    assert res.rc == rc, res.describe()
    assert "Traceback" not in res.err, res.describe()
    assert len(res.error_lines) == 1, res.describe()
    line = res.error_lines[0]
    for frag in fragments:
        assert frag.lower() in line.lower(), f"{frag!r} not in {line!r}"
    assert "rerun with --debug" not in line, f"an unexpected exception reached the user: {line}"
    return line


def manifest(job: Path) -> dict[str, Any]:
    return json.loads((job / "manifest.json").read_text(encoding="utf-8"))


def stage_status(job: Path) -> dict[str, str]:
    return {name: s["status"] for name, s in manifest(job)["stages"].items()}


def assert_sound(root: Path) -> None:
    """No half-written file anywhere under ``root``: no temporary or partial file or folder is
    left, every JSON file parses, and every clip named in a render record is a playable video."""
    if not root.exists():
        return
    left = leftovers(root)
    assert not left, f"half-written files left: {left}"
    for path in root.rglob("*.json"):
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:  # pragma: no cover - the assertion message is the point
            raise AssertionError(f"{path} does not parse: {exc}") from None
    for record in root.rglob("renders/.clips/*.json"):
        art = json.loads(record.read_text(encoding="utf-8"))["artifact"]
        assert media_info(Path(art["output_path"]))["duration"] > 0, record


def leftovers(root: Path) -> list[Path]:
    """Temporary files and folders: atomic-write ``*.tmp``, the renderer's ``.partial-`` output
    and ``.work-`` folder, the workspace's ``.trash-`` folders."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.name.endswith(".tmp")
        or ".partial" in p.name
        or ".work-" in p.name
        or p.name.startswith(".trash-")
    )


def media_info(path: Path) -> dict[str, Any]:
    import av

    with av.open(str(path)) as c:
        v = c.streams.video[0] if c.streams.video else None
        return {
            "duration": float(c.duration or 0) / 1_000_000,
            "width": v.codec_context.width if v else 0,
            "height": v.codec_context.height if v else 0,
            "codec": v.codec_context.name if v else None,
            "audio": len(c.streams.audio),
        }


def clips(job: Path) -> list[Path]:
    return sorted(p for p in (job / "renders").glob("*.mp4") if not p.name.startswith("."))


def log_text(job: Path) -> str:
    path = job / "logs" / "pipeline.log"
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
