"""Issue 3 point 5: config file < environment < command line, relative paths, unknown keys,
secrets, plugin sections, ``config show`` and ``config init`` / clipora.example.yaml."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from core_support import REPO, Venv

SECRET = "sk-test-7f3a9c1e5b2d"  # long enough for the fake section's min_length


def _show(cli_run: Any, *args: Any, env: dict[str, str] | None = None) -> dict[str, Any]:
    res = cli_run("config", "show", "--json", *args, env=env)
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    return {row["key"]: (row["value"], row["source"]) for row in data["values"]}


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_precedence_file_then_env_then_command_line(fakes, cli_run, tmp_path: Path) -> None:
    cfg = _write(
        tmp_path / "clipora.yaml",
        {"asr": {"language": "en", "hotwords": ["lipstick"]}, "render": {"playback_speed": 1.5}},
    )
    rows = _show(cli_run, "--config", cfg)
    assert rows["asr.language"] == ("en", f"file:{cfg}")
    assert rows["asr.mode"] == ("local", "default")

    env = {"CLIPORA_ASR__LANGUAGE": "zh", "CLIPORA_FAKES__TAGS": "a, b"}
    rows = _show(cli_run, "--config", cfg, env=env)
    assert rows["asr.language"] == ("zh", "env:CLIPORA_ASR__LANGUAGE")
    assert rows["fakes.tags"] == (["a", "b"], "env:CLIPORA_FAKES__TAGS")  # lists: comma-separated
    assert rows["render.playback_speed"] == (1.5, f"file:{cfg}")

    rows = _show(cli_run, "--config", cfg, "--set", "asr.language=fr", env=env)
    assert rows["asr.language"] == ("fr", "cli:--set asr.language")
    assert rows["asr.hotwords"] == (["lipstick"], f"file:{cfg}")

    # --log-level is a command-line value too and beats the file.
    cfg2 = _write(tmp_path / "log.yaml", {"logging": {"level": "error"}})
    assert _show(cli_run, "--config", cfg2, "--log-level", "debug")["logging.level"][0] == "debug"


def test_config_show_table_names_each_source(fakes, cli_run, tmp_path: Path) -> None:
    cfg = _write(tmp_path / "clipora.yaml", {"asr": {"language": "en"}})
    res = cli_run("config", "show", "--config", cfg, env={"CLIPORA_RENDER__PLAYBACK_SPEED": "2"})
    assert res.exit_code == 0, res.stderr
    lines = {ln.split()[0]: ln for ln in res.stdout.splitlines() if ln and not ln.startswith("#")}
    assert lines["asr.language"].endswith(f"[file:{cfg}]")
    assert lines["render.playback_speed"].endswith("[env:CLIPORA_RENDER__PLAYBACK_SPEED]")
    assert lines["asr.mode"].endswith("[default]")
    assert res.stdout.startswith(f"# config file: {cfg}")


def test_relative_paths_resolve_against_the_config_folder(
    fakes, cli_run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _write(
        tmp_path / "conf" / "clipora.yaml",
        {"paths": {"workdir": "jobs"}, "fakes": {"notes_dir": "../notes"}},
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    rows = _show(cli_run, "--config", cfg)
    assert Path(rows["paths.workdir"][0]) == tmp_path / "conf" / "jobs"
    assert Path(rows["fakes.notes_dir"][0]).resolve() == tmp_path / "notes"
    # Relative paths given on the command line or in the environment are relative to the cwd.
    rows = _show(cli_run, "--config", cfg, "--set", "paths.workdir=here")
    assert Path(rows["paths.workdir"][0]) == elsewhere / "here"
    rows = _show(cli_run, "--config", cfg, env={"CLIPORA_PATHS__WORKDIR": "there"})
    assert Path(rows["paths.workdir"][0]) == elsewhere / "there"
    # "~" expands.
    rows = _show(cli_run, "--config", cfg, "--set", "paths.workdir=~/clips")
    assert Path(rows["paths.workdir"][0]) == Path.home() / "clips"


@pytest.mark.parametrize(
    ("data", "key", "closest"),
    [
        ({"asrr": {"mode": "local"}}, "asrr", "asr"),
        ({"asr": {"lang": "zh"}}, "asr.lang", "asr.language"),
        (
            {"fakes": {"vt": {"segments_per_itme": 3}}},
            "fakes.vt.segments_per_itme",
            "fakes.vt.segments_per_item",
        ),
        ({"render": {"crff": 20}}, "render.crff", "render.ffmpeg.crf"),
    ],
)
def test_unknown_key_names_key_file_and_closest(
    fakes, cli_run, tmp_path: Path, data: dict, key: str, closest: str
) -> None:
    cfg = _write(tmp_path / "clipora.yaml", data)
    res = cli_run("config", "show", "--config", cfg)
    assert res.exit_code == 2
    message = res.stderr.strip()
    assert message.count("\n") == 0 and "Traceback" not in message
    assert f"unknown config key {key!r}" in message
    assert str(cfg) in message
    assert f"did you mean {closest!r}" in message


def test_unknown_key_in_environment_or_set(fakes, cli_run, tmp_path: Path) -> None:
    cfg = _write(tmp_path / "clipora.yaml", {})
    res = cli_run("config", "show", "--config", cfg, env={"CLIPORA_ASR__MODDE": "local"})
    assert res.exit_code == 2
    assert "'asr.modde'" in res.stderr and "CLIPORA_ASR__MODDE" in res.stderr
    assert "did you mean 'asr.mode'" in res.stderr
    res = cli_run("config", "show", "--config", cfg, "--set", "analysis.video_typ=x")
    assert res.exit_code == 2
    assert (
        "'analysis.video_typ'" in res.stderr and "did you mean 'analysis.video_type'" in res.stderr
    )


def test_empty_section_in_yaml_is_fine(fakes, cli_run, tmp_path: Path) -> None:
    # "asr:" with every key commented out is YAML null: the defaults apply.
    cfg = _write(tmp_path / "clipora.yaml", "asr:\n  # mode: local\nrender:\n")
    assert _show(cli_run, "--config", cfg)["asr.mode"] == ("local", "default")


def test_plugin_section_is_validated_by_its_model(fakes, cli_run, tmp_path: Path) -> None:
    cfg = _write(tmp_path / "clipora.yaml", {"fakes": {"vt": {"segments_per_item": 0}}})
    res = cli_run("config", "show", "--config", cfg)
    assert res.exit_code == 2
    assert "fakes.vt.segments_per_item" in res.stderr and "greater than 0" in res.stderr
    assert f"file:{cfg}" in res.stderr
    res = cli_run("config", "show", "--config", cfg, "--set", "fakes.vt.segments_per_item=3")
    assert res.exit_code == 0  # the command line wins, so the file's bad value is gone
    res = cli_run("config", "show", "--set", "fakes.fail=sometimes", "--config", cfg)
    assert res.exit_code == 2 and "fakes.fail" in res.stderr


def test_secrets_are_masked_in_show_and_never_echoed_in_errors(
    fakes, cli_run, tmp_path: Path
) -> None:
    cfg = _write(tmp_path / "clipora.yaml", {"fakes": {"api_key": SECRET}})
    res = cli_run("config", "show", "--config", cfg)
    assert res.exit_code == 0 and SECRET not in res.stdout
    assert "fakes.api_key" in res.stdout and "********" in res.stdout
    rows = _show(cli_run, "--config", cfg)
    assert rows["fakes.api_key"] == ("********", f"file:{cfg}")

    short = "sk-tiny-42"  # fails the model's min_length
    for args, env in [
        (("--set", f"fakes.api_key={short}"), None),
        ((), {"CLIPORA_FAKES__API_KEY": short}),
    ]:
        res = cli_run("config", "show", "--config", cfg, *args, env=env)
        assert res.exit_code == 2
        assert "fakes.api_key" in res.stderr
        assert short not in res.stderr + res.stdout
    # A first-party secret too: the live_commerce plugin's analysis.live_commerce.provider.api_key.
    res = cli_run(
        "config",
        "show",
        "--config",
        cfg,
        "--set",
        f"analysis.live_commerce.provider.api_key={SECRET}",
    )
    assert res.exit_code == 0, res.stderr
    assert SECRET not in res.stdout and "analysis.live_commerce.provider.api_key" in res.stdout
    bad = _write(tmp_path / "bad.yaml", {"fakes": {"api_key": {"nested": SECRET}}})
    res = cli_run("config", "show", "--config", bad)
    assert res.exit_code == 2 and SECRET not in res.stderr


def test_secret_never_reaches_the_job(fakes, fake_config, fake_video, cli_run) -> None:
    cfg = fake_config()
    res = cli_run("run", fake_video, "--config", cfg, env={"CLIPORA_FAKES__API_KEY": SECRET})
    assert res.exit_code == 0, res.stderr
    job = Path(res.stdout.splitlines()[-1])
    assert SECRET not in res.stdout + res.stderr
    for path in job.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_secret_not_in_debug_traceback(core_venv: Venv) -> None:
    res = core_venv.run("config", "show", "--debug", "--set", "fakes.api_key=sk-tiny-42")
    assert res.returncode != 0
    assert "Traceback" in res.stderr  # --debug shows it...
    assert "sk-tiny-42" not in res.stderr  # ...but not the secret


def test_config_init_writes_a_commented_example_that_loads_back(
    fakes, cli_run, tmp_path: Path
) -> None:
    target = tmp_path / "init" / "clipora.yaml"
    res = cli_run("config", "init", target)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.strip() == str(target)
    text = target.read_text(encoding="utf-8")
    assert "# Transcript segments per item" in text  # descriptions become comments
    assert "(section from plugin clipora-test-fakes)" in text
    assert "CLIPORA_FAKES__API_KEY" in text  # secrets point at the environment
    # It is valid config: every value is the default.
    rows = _show(cli_run, "--config", target)
    assert rows["fakes.vt.segments_per_item"] == (2, f"file:{target}")
    assert rows["fakes.api_key"][0] in ("", None)
    # No silent overwrite.
    res = cli_run("config", "init", target)
    assert res.exit_code == 1 and "--force" in res.stderr
    assert cli_run("config", "init", "--force", target).exit_code == 0


def test_config_init_default_location(fakes, cli_run, tmp_path: Path) -> None:
    res = cli_run("config", "init", env={"CLIPORA_CONFIG": str(tmp_path / "c" / "my.yaml")})
    assert res.exit_code == 0, res.stderr
    assert (tmp_path / "c" / "my.yaml").is_file()
    res = cli_run("config", "init")  # per-user location (XDG_CONFIG_HOME in tests)
    assert res.exit_code == 0, res.stderr
    assert Path(res.stdout.strip()) == tmp_path / "xdg-config" / "clipora" / "clipora.yaml"


def test_repo_example_config_is_generated_from_the_models(clipora_host) -> None:
    from clipora_core.config import load_config
    from clipora_core.config_views import example_yaml

    expected = example_yaml(clipora_host.config_sections())
    path = REPO / "clipora.example.yaml"
    actual = path.read_text(encoding="utf-8") if path.is_file() else ""
    assert actual == expected, (
        "clipora.example.yaml is out of date with the config models; regenerate it with "
        "`uv run clipora config init --force clipora.example.yaml` (from the repo root)"
    )
    # The file is valid config for every installed plugin's section.
    load_config(path, environ={}, sections=clipora_host.config_sections())
