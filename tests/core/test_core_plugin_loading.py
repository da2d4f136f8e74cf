"""Issue 3 points 3-4: each entry point loads on its own, a broken plugin never breaks the CLI,
the allow/block lists and strict mode, and ``clipora plugins list`` (table and JSON)."""

from __future__ import annotations

import json
from typing import Any

from core_support import Venv

from clipora_core import Capability, Kind, hookimpl


def _plugins(venv: Venv, **env: str) -> dict[str, dict[str, Any]]:
    res = venv.run("plugins", "list", "--json", env=env)
    assert res.returncode == 0, res.stderr
    return {p["plugin"]: p for p in json.loads(res.stdout)}


def test_broken_plugin_is_reported_and_the_cli_keeps_working(core_venv: Venv) -> None:
    plugins = _plugins(core_venv)
    broken = plugins["broken"]
    assert broken["distribution"] == "clipora-test-broken"
    assert broken["version"] == "0.0.1"
    assert "ImportError" in broken["error"]
    assert "definitely_missing_dependency" in broken["error"]
    assert broken["capabilities"] == [] and broken["hooks"] == []
    # The healthy plugins around it loaded completely.
    fakes = plugins["fakes"]
    assert fakes["error"] is None
    assert {c["name"] for c in fakes["capabilities"]} >= {"fake", "fake_vt", "faketxt"}
    assert plugins["even_chunks"]["error"] is None

    table = core_venv.run("plugins", "list")
    assert table.returncode == 0, table.stderr
    assert "broken" in table.stdout and "ImportError" in table.stdout
    assert "clipora-test-fakes" in table.stdout
    assert "Traceback" not in table.stdout + table.stderr

    # Other commands work too, including one contributed by a healthy plugin.
    assert core_venv.run("--help").returncode == 0
    hello = core_venv.run("fakes-hello", "tester")
    assert hello.returncode == 0 and hello.stdout.strip() == "hello tester from clipora-test-fakes"


def test_a_misspelt_hook_is_an_error_listed_with_the_plugin(core_venv: Venv) -> None:
    misspelt = _plugins(core_venv)["misspelt"]
    assert misspelt["error"] is not None
    assert "register_asr_backend" in misspelt["error"]
    assert "did you mean 'register_asr_backends'" in misspelt["error"]
    assert misspelt["capabilities"] == []
    table = core_venv.run("plugins", "list")
    assert table.returncode == 0 and "misspelt" in table.stdout


def test_plugins_list_json_carries_capability_metadata(core_venv: Venv) -> None:
    asr = next(c for c in _plugins(core_venv)["fakes"]["capabilities"] if c["kind"] == "asr")
    assert asr["name"] == "fake"
    assert asr["description"]
    assert asr["languages"] == ["en"]
    assert asr["devices"] == ["cpu"]
    assert asr["needs_network"] is True and asr["needs_credentials"] is True
    assert asr["plugin"] == "fakes"
    assert asr["distribution"] == "clipora-test-fakes" and asr["version"] == "0.0.1"
    assert "register_asr_backends" in _plugins(core_venv)["fakes"]["hooks"]


def test_strict_mode_reraises_load_errors(core_venv: Venv) -> None:
    res = core_venv.run("plugins", "list", env={"CLIPORA_STRICT_PLUGINS": "1"})
    assert res.returncode != 0
    assert "Traceback" in res.stderr
    assert "ImportError: clipora-test-broken needs" in res.stderr
    # A misspelt hook is an error in strict mode too, on one line.
    misspelt = core_venv.run(
        "plugins", "list", env={"CLIPORA_STRICT_PLUGINS": "1", "CLIPORA_DISABLE_PLUGINS": "broken"}
    )
    assert misspelt.returncode != 0
    assert "unknown hook 'register_asr_backend'" in misspelt.stderr
    # Strict mode with the broken plugins blocked: everything else loads fine.
    ok = core_venv.run(
        "plugins",
        "list",
        env={"CLIPORA_STRICT_PLUGINS": "1", "CLIPORA_DISABLE_PLUGINS": "broken,misspelt"},
    )
    assert ok.returncode == 0, ok.stderr


def test_allowlist_and_blocklist(core_venv: Venv) -> None:
    only = _plugins(core_venv, CLIPORA_LOAD_PLUGINS="fakes")
    assert only["fakes"]["disabled"] is False and only["fakes"]["capabilities"]
    for name in ("broken", "even_chunks"):
        assert only[name]["disabled"] is True
        assert only[name]["error"] is None and only[name]["capabilities"] == []

    # Distribution names work as well as entry-point names; empty loads nothing.
    by_dist = _plugins(core_venv, CLIPORA_LOAD_PLUGINS="clipora-example-videotype")
    assert [n for n, p in by_dist.items() if not p["disabled"]] == ["even_chunks"]
    none = _plugins(core_venv, CLIPORA_LOAD_PLUGINS="")
    assert all(p["disabled"] for p in none.values())

    blocked = _plugins(core_venv, CLIPORA_DISABLE_PLUGINS="broken, clipora-test-fakes")
    assert blocked["broken"]["disabled"] and blocked["fakes"]["disabled"]
    assert not blocked["even_chunks"]["disabled"]
    # A disabled plugin's capabilities are really gone.
    res = core_venv.run("fakes-hello", env={"CLIPORA_DISABLE_PLUGINS": "fakes"})
    assert res.returncode == 2 and "No such command" in res.stderr


class _RaisesWhileRegistering:
    @hookimpl
    def register_renderers(self, register: Any) -> None:
        register(Capability(kind=Kind.RENDERER, name="half", description="x", factory="m:f"))
        raise RuntimeError("boom while registering")


class _WrongKind:
    @hookimpl
    def register_renderers(self, register: Any) -> None:
        register(Capability(kind=Kind.ASR, name="wrong", description="x", factory="m:f"))


class _Duplicate:
    @hookimpl
    def register_asr_backends(self, register: Any) -> None:
        register(Capability(kind=Kind.ASR, name="fake", description="again", factory="m:f"))


def test_hooks_that_fail_while_registering_are_isolated(fakes, register_plugin, cli_run) -> None:
    register_plugin(_RaisesWhileRegistering(), name="zz-raises")
    register_plugin(_WrongKind(), name="zz-wrong-kind")
    register_plugin(_Duplicate(), name="zz-duplicate")
    res = cli_run("plugins", "list", "--json")
    assert res.exit_code == 0
    plugins = {p["plugin"]: p for p in json.loads(res.stdout)}
    assert "boom while registering" in plugins["zz-raises"]["error"]
    assert plugins["zz-raises"]["capabilities"] == []  # the half registration is rolled back
    assert "kind 'asr'" in plugins["zz-wrong-kind"]["error"]
    assert "already registered by fakes" in plugins["zz-duplicate"]["error"]
    assert plugins["fakes"]["error"] is None
    names = {c.name for c in fakes.capabilities(Kind.RENDERER)}
    assert "half" not in names and "fake" in names
