"""Suite-wide rules.

Under ``CI=true`` a skipped test fails: CI installs everything the suite needs (``.ci/run``), so a
skip there means a check silently did not run. Tests whose skip depends on the machine rather
than on a missing tool (running as root in a private folder, an optional package present) carry
``@pytest.mark.may_skip_in_ci``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and _ci()) or item.get_closest_marker("may_skip_in_ci"):
        return
    if hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped under CI=true, where every check must run: {reason}"
