"""Long-input benchmark: ``clipora run`` on a synthetic 3-hour livestream at a small resolution.

    uv run python bench/long_input.py [--hours 3] [--size 320x180] [--products 60] [--no-docs]

Same generator as bench/pipeline.py (espeak-ng English pitches, a looped test pattern, built
once into bench/.cache/), at 3 hours and about 60 product slots. Records what matters for long
recordings on a small machine: peak RSS of the clipora process and of its process tree, peak
disk used by the job folder and by the temporary folder, the largest files written, and whether
any of them is a full copy of the source (none should be, beyond a cleaned copy when cleaning is
on). Results go to bench/results/long_input.json and docs/performance.md. Not run by pytest.
"""

from __future__ import annotations

import argparse
import json

from pipeline import run_bench, save


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=3)
    ap.add_argument("--size", default="320x180")
    ap.add_argument("--products", type=int, default=60)
    ap.add_argument(
        "--set", dest="sets", action="append", default=[], help="extra --set for clipora"
    )
    ap.add_argument("--keep", action="store_true", help="keep the job folder")
    ap.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = ap.parse_args()

    data = run_bench("long_input", args.hours * 60, args.size, args.products, args.sets, args.keep)
    print(json.dumps({k: v for k, v in data.items() if k != "machine"}, indent=2))
    name = (
        "long_input"
        if args.hours == 3 and args.size == "320x180"
        else f"long_input-{args.hours:g}h-{args.size}"
    )
    save(name, data, not args.no_docs)


if __name__ == "__main__":
    main()
