"""Issue 3 point 9: every hookspec is documented in docs/plugins.md and exercised by a test."""

from __future__ import annotations

import inspect
import re

from core_support import REPO

from clipora_core import hookspecs

DOC = REPO / "docs" / "plugins.md"


def _hookspecs() -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(func)
        for name, func in vars(hookspecs).items()
        if callable(func) and hasattr(func, f"{hookspecs.PROJECT}_spec")
    }


def test_hookspecs_are_found() -> None:
    assert {"register_asr_backends", "register_config_sections", "register_commands"} <= set(
        _hookspecs()
    )


def test_every_hookspec_is_documented_with_its_signature() -> None:
    headings = [ln for ln in DOC.read_text(encoding="utf-8").splitlines() if ln.startswith("#")]
    missing = []
    for name, sig in _hookspecs().items():
        call = f"{name}({', '.join(sig.parameters)})"
        if not any(call in h for h in headings):
            missing.append(call)
    assert not missing, f"docs/plugins.md needs a heading for each of: {missing}"


def test_every_hookspec_is_exercised_by_a_test() -> None:
    defined = set()
    for path in (REPO / "tests").rglob("test_*.py"):
        defined |= set(re.findall(r"^def (test_hook_\w+)\(", path.read_text("utf-8"), re.M))
    missing = [
        name
        for name in _hookspecs()
        if not any(t == f"test_hook_{name}" or t.startswith(f"test_hook_{name}_") for t in defined)
    ]
    assert not missing, f"add a test named test_hook_<name> for: {missing}"
