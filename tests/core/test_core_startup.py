"""Issue 3 point 11: ``clipora --help`` and ``clipora plugins list`` import no heavy library
with every installed plugin (timing lives in bench/startup.py, not in a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from core_support import clean_environ

HEAVY = [
    "faster_whisper",
    "ctranslate2",
    "mediapipe",
    "oss2",
    "fastapi",
    "uvicorn",
    "av",
    "numpy",
    "httpx",
    "jieba",
    "pysubs2",
    "imageio_ffmpeg",
    "cv2",
    "onnxruntime",
]

# Runs the real CLI entry point, then reports which of the given modules got imported.
PROBE = """
import contextlib, io, json, sys
names = json.loads(sys.argv[1])
sys.argv = ["clipora", *sys.argv[2:]]
from clipora_core.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
print(json.dumps({"code": code, "loaded": [n for n in names if n in sys.modules]}))
"""

# Imports one entry point and calls its registration hooks, as `plugins list` does.
PER_PLUGIN = """
import json, sys
from importlib.metadata import entry_points
from clipora_core.capabilities import HOOK_FOR_KIND
names = json.loads(sys.argv[1])
out = {}
for ep in entry_points(group="clipora"):
    before = {n for n in names if n in sys.modules}
    try:
        module = ep.load()
        for hook in [*HOOK_FOR_KIND.values(), "register_config_sections"]:
            if hasattr(module, hook):
                getattr(module, hook)(register=lambda *a, **k: None)
    except Exception:
        continue
    new = sorted({n for n in names if n in sys.modules} - before)
    if new:
        out[f"{ep.name} ({ep.value})"] = new
print(json.dumps(out))
"""


def _probe(names: list[str], *args: str) -> dict:
    res = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(names), *args],
        capture_output=True,
        text=True,
        env=clean_environ(),
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def _culprits(names: list[str]) -> dict[str, list[str]]:
    """Which plugin pulls in which module (each plugin in a fresh interpreter would be exact;
    one interpreter in entry-point order is enough to point at the first importer)."""
    res = subprocess.run(
        [sys.executable, "-c", PER_PLUGIN, json.dumps(names)],
        capture_output=True,
        text=True,
        env=clean_environ(),
        timeout=120,
    )
    return json.loads(res.stdout.strip().splitlines()[-1]) if res.returncode == 0 else {}


@pytest.mark.parametrize("args", [["--help"], ["plugins", "list"], ["plugins", "list", "--json"]])
def test_fast_commands_import_no_heavy_library(args: list[str]) -> None:
    result = _probe(HEAVY, *args)
    assert result["code"] == 0
    assert not result["loaded"], (
        f"`clipora {' '.join(args)}` imported {result['loaded']}; "
        f"imported while loading plugins: {_culprits(HEAVY)}"
    )


def test_every_first_party_plugin_is_installed_for_the_check() -> None:
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="clipora")}
    assert {"asr_local", "asr_import", "live_commerce", "ffmpeg", "subtitles"} <= names


def test_help_does_not_import_pydantic() -> None:
    """Softer goal (pydantic costs about 60 ms): register config models lazily."""
    loaded = _probe(["pydantic"], "--help")["loaded"]
    if loaded:
        pytest.xfail(
            "`clipora --help` imports pydantic; plugins importing it at load: "
            f"{_culprits(['pydantic'])}"
        )


def test_probe_sees_a_heavy_import_when_there_is_one(tmp_path: Path) -> None:
    """The probe itself works: `config show` legitimately loads pydantic."""
    assert (
        "pydantic"
        in _probe(["pydantic"], "config", "show", "--config", str(_empty_config(tmp_path)))[
            "loaded"
        ]
    )


def _empty_config(tmp_path: Path) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text("{}\n", encoding="utf-8")
    return path
