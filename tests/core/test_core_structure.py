"""The shape of the code: no import cycles inside any distribution, a kernel of small modules
and functions, and a kernel that does not depend on the web UI's stack."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
KERNEL = REPO / "clipora_core" / "src" / "clipora_core"
PACKAGES = sorted(
    p
    for p in [*REPO.glob("plugins/*/src/*"), *REPO.glob("clipora_*/src/*")]
    if p.is_dir() and (p / "__init__.py").is_file()
)


def _module(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.Module, modules: set[str]) -> set[str]:
    """Modules of the same distribution this one imports when it runs (anywhere in it, lazy
    imports included; ``if TYPE_CHECKING:`` blocks excluded)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{a.name}" for a in node.names} & modules
            # "from pkg import submodule" depends on the submodule, not on pkg's __init__.
            if len(subs) < len(node.names) and node.module in modules:
                found.add(node.module)
            found |= subs
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_no_import_cycles(package: Path) -> None:
    root = package.parent
    files = {_module(root, f): f for f in package.rglob("*.py")}
    modules = set(files)
    graph = {
        m: _imports(ast.parse(f.read_text(encoding="utf-8")), modules) - {m}
        for m, f in files.items()
    }
    assert _cycles(graph) == []


def test_kernel_modules_and_functions_are_small() -> None:
    too_long = []
    for path in KERNEL.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(KERNEL)
        if text.count("\n") > 500:
            too_long.append(f"{rel}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    too_long.append(f"{rel}:{node.lineno} {node.name}(): {length} lines")
    assert too_long == []


def test_the_kernel_does_not_depend_on_the_web_stack() -> None:
    meta = tomllib.loads((REPO / "clipora_core" / "pyproject.toml").read_text(encoding="utf-8"))
    deps = " ".join(meta["project"]["dependencies"])
    extras = meta["project"].get("optional-dependencies", {})
    for name in ("fastapi", "uvicorn", "starlette", "jinja2"):
        assert name not in deps and not any(name in " ".join(v) for v in extras.values())
    assert not (KERNEL / "web").exists()


PLUGIN_SOURCES = sorted(
    f
    for pattern in (
        "plugins/*/src/**/*.py",
        "clipora_*/src/**/*.py",
        "examples/plugins/*/src/**/*.py",
    )
    for f in REPO.glob(pattern)
    if "clipora_core" not in f.parts
)


def test_plugins_import_only_the_plugin_api() -> None:
    """``clipora_core.api`` is the one kernel module a plugin imports: the rest may change."""
    offenders = []
    for path in PLUGIN_SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                mod, names = node.module, [a.name for a in node.names]
                ok = mod == "clipora_core.api" or (mod == "clipora_core" and names == ["api"])
                if mod.split(".")[0] == "clipora_core" and not ok:
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno} from {mod}")
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "clipora_core" and a.name != "clipora_core.api":
                        offenders.append(f"{path.relative_to(REPO)}:{node.lineno} import {a.name}")
    assert PLUGIN_SOURCES and offenders == []


def test_every_name_of_the_plugin_api_resolves() -> None:
    from clipora_core import api

    for name in api.__all__:
        assert getattr(api, name) is not None, name


FIRST_PARTY_NAMES = [
    # distributions and packages
    *("clipora-asr-", "clipora_asr_", "clipora-render-ffmpeg", "clipora_render_ffmpeg"),
    *("clipora-subtitles", "clipora_subtitles", "clipora-web", "clipora_web"),
    *("clipora-freeze", "clipora_freeze", "clipora-live-commerce", "clipora_live_commerce"),
    *("clipora-presence-mediapipe", "clipora_presence_mediapipe", "clipora_example"),
    # capability and video-type names, and what they are built on
    *("live_commerce", "even_chunks", "mediapipe", "aliyun", "Aliyun", "whisper", "Whisper"),
    *("pyav", "PyAV", "freeze", '"srt"', '"vtt"', '"ass"', '"import"', '"local"'),
]


def test_the_kernel_names_no_plugin() -> None:
    """Behaviour that differs between plugins is a capability feature, defaults and install
    hints come from the plugins: the kernel's source names none of them."""
    found = []
    for path in KERNEL.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            hits = [n for n in FIRST_PARTY_NAMES if n in line]
            if hits:
                found.append(f"{path.relative_to(KERNEL)}:{number}: {hits}")
    assert found == []
