"""Cold start of the ``clipora`` CLI with every installed plugin, against a bare interpreter.

Each run is a fresh process (the installed ``clipora`` console script), so the numbers include
interpreter start, entry-point discovery and importing every plugin's hooks module; runs of the
commands alternate and the median is reported. The baseline ``python -c pass`` is measured in the
same session. Target (issue 3): ``clipora --help`` and ``clipora plugins list`` under 0.3 s.

    uv run python bench/startup.py            # 15 runs each
    uv run python bench/startup.py -n 30 --imports 8   # also the 8 slowest imports per command

The machine's load matters (other jobs on a 2-core machine can double the numbers): the table
prints the 1-minute load average; compare runs made under similar load, and the ``over baseline``
column, which load affects less.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 0.3


def _clipora() -> str:
    beside = Path(sys.executable).with_name("clipora")
    found = str(beside) if beside.exists() else shutil.which("clipora")
    if not found:
        sys.exit("clipora is not installed in this environment (run: uv sync)")
    return found


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIPORA_")}
    env["XDG_CONFIG_HOME"] = str(tmp)  # no per-user config file
    env["COLUMNS"] = "120"
    return env


def _time_once(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    res = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if res.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {res.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def _slowest_imports(cmd: list[str], env: dict[str, str], top: int) -> list[tuple[float, str]]:
    """Packages by the import time of their own modules (``-X importtime`` self time, summed
    per top-level package), in seconds."""
    res = subprocess.run(
        [sys.executable, "-X", "importtime", cmd[0], *cmd[1:]],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    totals: dict[str, float] = {}
    for line in res.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if m:
            name = m.group(2).split(".")[0]
            totals[name] = totals.get(name, 0.0) + int(m.group(1)) / 1e6
    return sorted(((t, n) for n, t in totals.items()), reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=15, help="runs per command")
    parser.add_argument(
        "--imports", type=int, default=0, metavar="N", help="also list the N slowest imports"
    )
    args = parser.parse_args()

    clipora = _clipora()
    commands = {
        "python -c pass (baseline)": [sys.executable, "-c", "pass"],
        "clipora --help": [clipora, "--help"],
        "clipora plugins list": [clipora, "plugins", "list"],
        "clipora plugins list --json": [clipora, "plugins", "list", "--json"],
    }
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp))
        for cmd in commands.values():  # warm the OS file cache once; not counted
            _time_once(cmd, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(_time_once(cmd, env))
        plugins = subprocess.run(
            [clipora, "plugins", "list", "--json"], capture_output=True, text=True, env=env
        ).stdout
        imports = {
            name: _slowest_imports(cmd, env, args.imports)
            for name, cmd in commands.items()
            if args.imports and name.startswith("clipora")
        }

    import json

    loaded = [p["plugin"] for p in json.loads(plugins) if not p["disabled"] and not p["error"]]
    base = statistics.median(times["python -c pass (baseline)"])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.2f}")
    print(f"plugins loaded ({len(loaded)}): {', '.join(loaded)}")
    print(f"{args.runs} cold runs each (fresh process), interleaved\n")
    header = f"{'command':<30} {'median':>8} {'min':>8} {'max':>8} {'over baseline':>14}  target"
    print(header)
    print("-" * len(header))
    for name, values in times.items():
        med = statistics.median(values)
        over = "" if name.startswith("python") else f"{med - base:+.3f}s"
        verdict = ""
        if name.startswith("clipora"):
            verdict = "ok" if med < TARGET_SECONDS else f"OVER {TARGET_SECONDS}s"
        print(
            f"{name:<30} {med:>7.3f}s {min(values):>7.3f}s {max(values):>7.3f}s {over:>14}  "
            f"{verdict}"
        )
    for name, rows in imports.items():
        print(f"\nslowest imports, {name}:")
        for seconds, module in rows:
            print(f"  {seconds * 1000:7.1f} ms  {module}")


if __name__ == "__main__":
    main()
