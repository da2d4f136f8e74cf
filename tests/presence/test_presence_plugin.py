"""What a user sees of the plugin: the listing, the missing-plugin error, the config section."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from clipora_core.capabilities import Kind
from clipora_core.errors import CapabilityNotFound
from clipora_core.plugins import PluginHost


def test_plugins_list_shows_the_detector(cli_run: Any, clipora_host: Any) -> None:
    result = cli_run("plugins", "list", "--json")
    assert result.exit_code == 0, result.output
    plugins = {p["plugin"]: p for p in json.loads(result.stdout)}
    plugin = plugins["presence_mediapipe"]
    assert plugin["distribution"] == "clipora-presence-mediapipe" and not plugin["error"]
    (cap,) = plugin["capabilities"]
    assert (cap["kind"], cap["name"]) == ("presence_detector", "mediapipe")
    assert not cap["needs_network"]
    assert plugin["config_sections"] == ["analysis.pose_presence.mediapipe"]
    table = cli_run("plugins", "list", env={"COLUMNS": "250"})
    row = next(line for line in table.stdout.splitlines() if "presence_mediapipe" in line)
    assert "clipora-presence-mediapipe" in row and "presence_detector" in table.stdout


def test_capability_builds_a_detector(clipora_host: Any) -> None:
    det = clipora_host.create(Kind.PRESENCE_DETECTOR, "mediapipe", None)
    try:
        assert callable(det.detect) and callable(det.close)
        assert det.model_file().name == "pose_landmarker_full.task"
        assert det.model_file().stat().st_size == 9_398_198
    finally:
        det.close()


def test_listing_plugins_does_not_import_mediapipe() -> None:
    import subprocess

    code = (
        "import sys; from clipora_core.plugins import PluginHost; h = PluginHost(); "
        "h.load_entrypoints(); h.capabilities(); "
        "print(sorted(m for m in ('mediapipe', 'cv2', 'av', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_disabled_plugin_names_the_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIPORA_DISABLE_PLUGINS", "presence_mediapipe")
    host = PluginHost()
    host.load_entrypoints()
    with pytest.raises(CapabilityNotFound) as info:
        host.get(Kind.PRESENCE_DETECTOR, "mediapipe", "analysis.pose_presence.detector")
    message = info.value.one_line()
    assert "clipora-presence-mediapipe" in message
    assert "mediapipe" in message and "analysis.pose_presence.detector" in message


def test_shipped_model_has_its_licence_notice() -> None:
    root = Path(__file__).resolve().parents[2] / "clipora_presence_mediapipe"
    notice = (root / "NOTICE").read_text(encoding="utf-8")
    assert "Apache License, Version 2.0" in notice
    assert "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad" in notice
    assert "Apache License" in (root / "LICENSE-pose-model.txt").read_text(encoding="utf-8")
    import hashlib

    from clipora_presence_mediapipe.detector import bundled_model_path

    digest = hashlib.sha256(bundled_model_path().read_bytes()).hexdigest()
    assert digest == "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad"


def test_config_section_reaches_the_detector(clipora_host: Any, clipora_config: Any) -> None:
    from clipora_core.config import load_config
    from clipora_presence_mediapipe.detector import MediaPipePresenceDetector

    path = clipora_config(
        **{
            "analysis.pose_presence.enabled": True,
            "analysis.pose_presence.mediapipe.min_visible_landmarks": 12,
            "analysis.pose_presence.mediapipe.identity_policy": "any_pose_counts",
        }
    )
    settings = load_config(path, environ={}).settings
    det = clipora_host.create(Kind.PRESENCE_DETECTOR, "mediapipe", settings)
    assert isinstance(det, MediaPipePresenceDetector)
    assert det.cfg.min_visible_landmarks == 12
    assert det.cfg.identity_policy == "any_pose_counts"
