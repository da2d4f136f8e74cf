"""One test per hookspec (``test_hook_<name>``; a meta-test checks none is missing): each drives
the hook through the real CLI with throwaway plugins and checks what the user gets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from core_support import SEGMENTS, last_line, manifest

from clipora_core import Capability, ConfigDefault, ConfigSection, InstallHint, Kind, hookimpl


def _run(cli_run: Any, *args: Any) -> Path:
    res = cli_run(*args)
    assert res.exit_code == 0, res.stderr
    return Path(last_line(res.stdout))


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_hook_register_probers(fakes, fake_config, fake_video, cli_run) -> None:
    job = _run(
        cli_run,
        "inspect",
        _run(cli_run, "clean", fake_video, "--config", fake_config()),
        "--config",
        fake_config(),
    )
    probe = _read(job / "inspect" / "probe.json")
    assert probe["container"] == "json" and probe["duration_seconds"] == 60.0
    assert manifest(job)["probe"]["video_width"] == 320


def test_hook_register_cleaners(fakes, fake_config, fake_video, cli_run) -> None:
    cfg = fake_config(**{"cleaning.enabled": True, "cleaning.cleaners": ["fake_trim"]})
    job = _run(cli_run, "clean", fake_video, "--config", cfg)
    summary = _read(job / "clean" / "summary.json")
    assert summary["enabled"] is True and summary["cleaners"] == ["fake_trim"]
    assert _read(job / "clean" / "keep_intervals.json") == [
        {"start_seconds": 0.0, "end_seconds": 60.0}
    ]
    res = cli_run("clean", fake_video, "--config", cfg, "--set", "cleaning.cleaners=fake_trim,nope")
    assert res.exit_code == 2 and "cleaner 'nope' (config cleaning.cleaners)" in res.stderr


def test_hook_register_asr_backends(fakes, fake_config, fake_video, cli_run) -> None:
    job = _run(
        cli_run,
        "semantic-discover",
        _run(cli_run, "clean", fake_video, "--config", fake_config()),
        "--config",
        fake_config(**{"fakes.asr.uppercase": True}),
    )
    transcript = _read(job / "semantic" / "transcript.json")
    assert transcript["backend"] == "fake"
    assert [s["text"] for s in transcript["segments"]] == [t.upper() for _, _, t in SEGMENTS]
    # The runner lets the backend free its model once transcription is over, failed or not.
    assert (job / "semantic" / "asr-closed").is_file()
    (job / "semantic" / "asr-closed").unlink()
    res = cli_run(
        "semantic-discover", job, "--force", "--config", fake_config(**{"fakes.fail": "asr"})
    )
    assert res.exit_code != 0 and "fake asr exploded" in res.stderr
    assert (job / "semantic" / "asr-closed").is_file()


def test_hook_register_video_types(fakes, fake_config, fake_video, cli_run) -> None:
    cfg = fake_config(**{"fakes.vt.segments_per_item": 3})
    job = _run(cli_run, "run", fake_video, "--config", cfg)
    assert [i["id"] for i in _read(job / "semantic" / "discovered_intervals.json")] == [
        "interval-001",
        "interval-002",
    ]
    items = _read(job / "semantic" / "semantic_item_set.json")["intervals"]
    assert [(i["windows"][0]["start_seconds"], i["total_duration_seconds"]) for i in items] == [
        (0.0, 30.0),
        (30.0, 30.0),
    ]
    plan = _read(job / "analysis" / "edit_plan.json")
    assert plan["strategy"] == "fake_vt" and len(plan["segments"]) == 2
    assert manifest(job)["analysis_video_type"] == "fake_vt"


def test_hook_register_subtitle_writers(fakes, fake_config, fake_video, cli_run) -> None:
    job = _run(cli_run, "run", fake_video, "--config", fake_config())
    result = _read(job / "renders" / "execution_result.json")
    first = result["artifacts"][0]
    sidecar = Path(first["subtitle_paths"]["faketxt"])
    assert sidecar.read_text(encoding="utf-8").splitlines() == [SEGMENTS[0][2], SEGMENTS[1][2]]


def test_hook_register_renderers(fakes, fake_config, fake_video, cli_run) -> None:
    job = _run(cli_run, "run", fake_video, "--config", fake_config(**{"render.playback_speed": 4}))
    result = _read(job / "renders" / "execution_result.json")
    assert result["success_count"] == 3 and result["failure_count"] == 0
    assert [a["duration_seconds"] for a in result["artifacts"]] == [5.0, 5.0, 5.0]
    for art in result["artifacts"]:
        assert _read(Path(art["output_path"]))["speed"] == 4.0
    # A renderer that raises fails its clips, with the reason, and the command exits 1.
    res = cli_run("render", job, "--force", "--config", fake_config(**{"fakes.fail": "render"}))
    assert res.exit_code == 1
    result = _read(job / "renders" / "execution_result.json")
    assert {a["error_detail"] for a in result["artifacts"]} == {
        "RuntimeError: fake renderer exploded"
    }


def test_hook_register_presence_detectors(fakes, fake_config, fake_video, cli_run) -> None:
    cfg = fake_config(
        **{
            "analysis.pose_presence.enabled": True,
            "analysis.pose_presence.detector": "fake_presence",
            "analysis.pose_presence.sample_interval_seconds": 5.0,
        }
    )
    job = _run(cli_run, "run", fake_video, "--config", cfg)
    report = _read(job / "analysis" / "presence" / "semantic-item-001.json")
    assert report["detector"] == "fake_presence"
    assert [s["timestamp_seconds"] for s in report["samples"]] == [0.0, 5.0, 10.0, 15.0]
    plan = _read(job / "analysis" / "edit_plan.json")
    assert plan["segments"][0]["metadata"]["present_windows"] == [
        {"start_seconds": 0.0, "end_seconds": 20.0}
    ]
    res = cli_run(
        "run", fake_video, "--config", cfg, "--set", "analysis.pose_presence.detector=nope_detector"
    )
    assert res.exit_code == 2 and "presence detector 'nope_detector'" in res.stderr


def test_hook_register_executors(fakes, fake_config, tmp_path: Path, cli_run) -> None:
    from clipora_test_fakes.impl import write_fake_video
    from core_support import SEGMENTS

    videos = [write_fake_video(tmp_path / f"show{i}.mp4", SEGMENTS) for i in (1, 2)]
    cfg = fake_config(**{"batch.executor": "fake_threads"})
    res = cli_run("batch", *videos, "--config", cfg)
    assert res.exit_code == 0, res.stderr
    report = _read(tmp_path / "workdir" / "batch-report.json")
    assert report["executor"] == "fake threads"
    assert [r["outcome"] for r in report["recordings"]] == ["done", "done"]
    assert {r["host"] for r in report["recordings"]} == {"fake-thread"}
    for rec in report["recordings"]:
        assert rec["clips"] and all(c["ok"] for c in rec["clips"])
        # A remote executor also gets the recording's clips, each a unit of its own.
        result = _read(tmp_path / "workdir" / rec["job_dir"] / "renders" / "execution_result.json")
        assert {a["metadata"]["rendered_on"] for a in result["artifacts"]} == {"fake-thread"}
    res = cli_run("batch", videos[0], "--config", cfg, "--executor", "nope")
    assert res.exit_code == 2 and "executor 'nope'" in res.stderr


def test_hook_register_exporters(fakes, fake_config, fake_video, cli_run) -> None:
    cfg = fake_config()
    job = _run(cli_run, "run", fake_video, "--config", cfg)
    res = cli_run("export", job, "--format", "fake_cuts", "--config", cfg)
    assert res.exit_code == 0, res.stderr
    out = Path(last_line(res.stdout))
    assert out == job / "exports" / "fake_cuts" / "cuts.json"
    plan = _read(job / "analysis" / "edit_plan.json")
    got = _read(out)
    assert got["source"] == str(fake_video.resolve())
    assert [c["id"] for c in got["clips"]] == [s["id"] for s in plan["segments"]]
    assert got["clips"][0]["cuts"] == [
        [w["start_seconds"], w["end_seconds"]] for w in plan["segments"][0]["windows"]
    ]
    res = cli_run("export", job, "--format", "nope", "--config", cfg)
    assert res.exit_code == 2 and "exporter 'nope' is not installed" in res.stderr


class _SectionPlugins:
    """A plugin with a section below a kernel section and a nested one of its own."""

    @hookimpl
    def register_config_sections(self, register: Any) -> None:
        from clipora_core.settings import Section
        from pydantic import Field

        class Watermark(Section):
            text: str = Field("", description="Text drawn in a corner")

        class Deep(Section):
            level: int = Field(1, ge=1, le=3, description="How deep")

        register(
            ConfigSection(
                path="render.watermark",
                model=Watermark,
                moved={"render.watermark_text": "render.watermark.text"},
                retired={"render.watermark.font": "the watermark uses the subtitle font"},
            )
        )
        register(ConfigSection(path="analysis.deep_thing", model=Deep))


def test_a_job_made_before_a_key_moved_still_reruns(
    fakes, register_plugin, fake_config, fake_video, cli_run
) -> None:
    """A job remembers the --set values it was run with; after an upgrade that moved or retired
    one of those keys, commands on the job read the old key at its new place instead of
    refusing a value the user never typed in this version."""
    from core_support import last_line, manifest

    register_plugin(_SectionPlugins(), name="sections", distribution="clipora-sections")
    cfg = fake_config()
    res = cli_run("run", fake_video, "--config", cfg, "--set", "render.watermark.text=new")
    assert res.exit_code == 0, res.stderr
    job = Path(last_line(res.stdout))
    # What an older version wrote into the job's manifest.
    data = manifest(job)
    data["config_sets"] = ["render.watermark_text=old", "render.watermark.font=x"]
    (job / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    res = cli_run("render", job, "--config", cfg)
    assert res.exit_code == 0, res.stderr
    assert manifest(job)["config_sets"] == ["render.watermark.text=old"]
    # The user's own --set with the old key is still refused, with the new name.
    res = cli_run("render", job, "--config", cfg, "--set", "render.watermark_text=x")
    assert res.exit_code == 2 and "moved to 'render.watermark.text'" in res.stderr


class _Squatter:
    """A plugin that tries to add its fields to the kernel's ``render`` section."""

    @hookimpl
    def register_config_sections(self, register: Any) -> None:
        from clipora_core.settings import Section
        from pydantic import Field

        class RenderExtra(Section):
            watermark: str = Field("", description="Text drawn in a corner")

        register(ConfigSection(path="render", model=RenderExtra))


def test_hook_register_config_sections(fakes, register_plugin, cli_run, tmp_path: Path) -> None:
    register_plugin(_SectionPlugins(), name="sections", distribution="clipora-sections")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("render: {watermark: {text: hi}}\nanalysis: {deep_thing: {level: 2}}\n", "utf-8")
    res = cli_run("config", "show", "--json", "--config", cfg)
    assert res.exit_code == 0, res.stderr
    rows = {r["key"]: r for r in json.loads(res.stdout)["values"]}
    assert rows["render.watermark.text"]["value"] == "hi"
    assert rows["render.playback_speed"]["value"] == 1.0  # the core's fields are still there
    assert rows["analysis.deep_thing.level"]["value"] == 2
    assert rows["fakes.vt.segments_per_item"]["source"] == "default"
    res = cli_run("config", "show", "--config", cfg, "--set", "analysis.deep_thing.level=7")
    assert res.exit_code == 2 and "analysis.deep_thing.level" in res.stderr
    plugins = {p["plugin"]: p for p in json.loads(cli_run("plugins", "list", "--json").stdout)}
    assert plugins["sections"]["config_sections"] == ["render.watermark", "analysis.deep_thing"]
    assert sorted(plugins["fakes"]["config_sections"]) == ["fakes", "fakes.asr", "fakes.vt"]
    # A key the plugin moved names its new place.
    res = cli_run("config", "show", "--config", cfg, "--set", "render.watermark_text=x")
    assert res.exit_code == 2
    assert (
        "'render.watermark_text'" in res.stderr and "moved to 'render.watermark.text'" in res.stderr
    )
    # A key it no longer reads says so, with what to do (not a guess at a similar key).
    res = cli_run("config", "show", "--config", cfg, "--set", "render.watermark.font=x")
    assert res.exit_code == 2
    assert (
        "'render.watermark.font' in --set is no longer used: the watermark uses the subtitle font"
        " (remove it)" in res.stderr
    ), res.stderr


def test_a_plugin_cannot_add_fields_to_a_kernel_section(
    fakes, register_plugin, cli_run, tmp_path: Path
) -> None:
    register_plugin(_Squatter(), name="squatter", distribution="clipora-squatter")
    plugins = {p["plugin"]: p for p in json.loads(cli_run("plugins", "list", "--json").stdout)}
    assert "config section 'render' is the kernel's" in plugins["squatter"]["error"]
    assert plugins["squatter"]["config_sections"] == []
    # Everything else keeps working; the squatter's field is simply not there.
    res = cli_run("config", "show", "--json")
    assert res.exit_code == 0, res.stderr
    keys = {r["key"] for r in json.loads(res.stdout)["values"]}
    assert "render.playback_speed" in keys and "render.watermark" not in keys


class _BadSection:
    @hookimpl
    def register_config_sections(self, register: Any) -> None:
        register({"path": "oops"})


def test_hook_register_config_sections_rejects_other_objects(register_plugin, cli_run) -> None:
    register_plugin(_BadSection(), name="bad-section")
    plugins = {p["plugin"]: p for p in json.loads(cli_run("plugins", "list", "--json").stdout)}
    assert "ConfigSection objects" in plugins["bad-section"]["error"]
    assert cli_run("config", "show").exit_code == 0  # the rest of config still works


class _BrokenCommands:
    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        raise RuntimeError("cannot add my command")


def test_hook_register_commands(fakes, register_plugin, cli_run) -> None:
    res = cli_run("--help")
    assert res.exit_code == 0 and "fakes-hello" in res.stdout
    res = cli_run("fakes-hello", "plugin author")
    assert res.exit_code == 0 and res.stdout == "hello plugin author from clipora-test-fakes\n"
    # A plugin whose hook raises neither breaks the CLI nor hides other plugins' commands.
    register_plugin(_BrokenCommands(), name="aaa-broken-commands")
    res = cli_run("fakes-hello")
    assert res.exit_code == 0 and "hello world" in res.stdout
    plugins = {p["plugin"]: p for p in json.loads(cli_run("plugins", "list", "--json").stdout)}
    assert "cannot add my command" in plugins["aaa-broken-commands"]["error"]


class _Defaults:
    @hookimpl
    def register_defaults(self, register: Any) -> None:
        register(ConfigDefault(path="render.renderer", value="fake"))
        register(ConfigDefault(path="render_subtitles.formats", value=["faketxt"]))


def test_hook_register_defaults(fakes, register_plugin, cli_run, fake_video, tmp_path) -> None:
    # Nothing chosen, no default: one line naming the key and what is installed.
    cfg = tmp_path / "bare.yaml"
    cfg.write_text(
        "paths: {workdir: work}\ninspect: {prober: fake}\nasr: {mode: fake}\n"
        "analysis: {video_type: fake_vt}\nrender: {renderer: ''}\n",
        encoding="utf-8",
    )
    res = cli_run("run", fake_video, "--config", cfg)
    assert res.exit_code != 0
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("[clipora] error:")]
    assert len(errors) == 1 and "no renderer is chosen" in errors[0]
    assert "set render.renderer to one of:" in errors[0] and "fake" in errors[0]
    # A plugin's default fills what the config leaves out, and `config show` says so.
    register_plugin(_Defaults(), name="aaa-defaults")  # first in name order: its default wins
    cfg.write_text(
        "paths: {workdir: work}\ninspect: {prober: fake}\nasr: {mode: fake}\n"
        "analysis: {video_type: fake_vt}\n",
        encoding="utf-8",
    )
    shown = cli_run("config", "show", "--config", cfg, "--json")
    values = {v["key"]: v for v in json.loads(shown.stdout)["values"]}
    assert values["render.renderer"]["value"] == "fake"
    assert values["render.renderer"]["source"] == "default"
    assert values["render_subtitles.formats"]["value"] == ["faketxt"]
    res = cli_run("run", fake_video, "--config", cfg)
    assert res.exit_code == 0, res.stderr


class _Hints:
    @hookimpl
    def register_install_hints(self, register: Any) -> None:
        register(InstallHint(kind=Kind.RENDERER, name="cloudy", distribution="clipora-cloudy"))


class _BadHints:
    @hookimpl
    def register_install_hints(self, register: Any) -> None:
        register(("renderer", "cloudy", "clipora-cloudy"))


def test_hook_register_install_hints(
    fakes, register_plugin, fake_config, fake_video, cli_run
) -> None:
    cfg = fake_config(**{"render.renderer": "cloudy"})
    res = cli_run("run", fake_video, "--config", cfg)
    assert res.exit_code == 2 and "install a plugin that provides it" in res.stderr
    register_plugin(_Hints(), name="hints")
    res = cli_run("run", fake_video, "--config", cfg)
    assert res.exit_code == 2
    assert "renderer 'cloudy' (config render.renderer) is not installed" in res.stderr
    assert "install it with: uv pip install clipora-cloudy" in res.stderr
    # Anything but an InstallHint is the plugin's error, and the others keep working.
    register_plugin(_BadHints(), name="bad-hints")
    plugins = {p["plugin"]: p for p in json.loads(cli_run("plugins", "list", "--json").stdout)}
    assert "InstallHint" in plugins["bad-hints"]["error"]
    assert plugins["hints"]["error"] is None


def test_capability_metadata_is_validated(register_plugin, cli_run) -> None:
    class BadName:
        @hookimpl
        def register_renderers(self, register: Any) -> None:
            register(Capability(kind=Kind.RENDERER, name="Bad Name", description="", factory="m:f"))

    register_plugin(BadName(), name="bad-name")
    plugins = {p["plugin"]: p for p in json.loads(cli_run("plugins", "list", "--json").stdout)}
    assert "Bad Name" in plugins["bad-name"]["error"]


def test_cleaned_timeline_reaches_every_capability_on_the_right_clock(
    fakes, fake_config, fake_video, cli_run
) -> None:
    """A cleaner drops 12-18 s of the recording. Stages work on the cleaned timeline; the
    presence detector and the renderer read the recording, so they get its clock: a window
    across the removed span arrives as two cuts, and the samples come back mapped."""
    cfg = fake_config(
        **{
            "cleaning.enabled": True,
            "cleaning.cleaners": ["fake_trim"],
            "fakes.remove_span": [12.0, 18.0],
            "analysis.pose_presence.enabled": True,
            "analysis.pose_presence.detector": "fake_presence",
            "analysis.pose_presence.sample_interval_seconds": 5.0,
        }
    )
    job = _run(cli_run, "run", fake_video, "--config", cfg)
    assert manifest(job)["cleaning"]["cleaned_duration_seconds"] == 54.0
    segments = _read(job / "semantic" / "transcript.json")["segments"]
    assert [(s["start_seconds"], s["end_seconds"]) for s in segments][:3] == [
        (0.0, 10.0),
        (10.0, 14.0),
        (14.0, 24.0),
    ]
    report = _read(job / "analysis" / "presence" / "semantic-item-001.json")
    # Sampled at 0, 5, 10 and 18 s of the recording (its windows 0-12 and 18-20 s).
    assert [s["timestamp_seconds"] for s in report["samples"]] == [0.0, 5.0, 10.0, 12.0]
    plan = _read(job / "analysis" / "edit_plan.json")
    first = plan["segments"][0]
    assert first["windows"] == [{"start_seconds": 0.0, "end_seconds": 14.0}]
    result = _read(job / "renders" / "execution_result.json")
    art = next(a for a in result["artifacts"] if a["clip_id"] == first["id"])
    rendered = _read(Path(art["output_path"]))
    assert rendered["windows"] == [
        {"start_seconds": 0.0, "end_seconds": 12.0},
        {"start_seconds": 18.0, "end_seconds": 20.0},
    ]
    assert art["windows"] == first["windows"] and art["original_windows"] == rendered["windows"]
