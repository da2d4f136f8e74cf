"""What a batch works on: the recordings named on the command line, and each one's product list.

A PATH is a recording, a folder (searched recursively for video files) or a ``.txt`` list of
paths (one per line, ``#`` comments, relative paths taken from the list's folder). ``--products``
is one list for every recording, or a folder holding a list per recording named like it
(``shop-0601.mp4`` -> ``shop-0601.csv``). Every error is found before any job is touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clipora_core.contracts import ProductList
from clipora_core.errors import InputError
from clipora_core.products import SUFFIXES as PRODUCT_SUFFIXES
from clipora_core.products import load_products

VIDEO_SUFFIXES = frozenset(
    {".mp4", ".mov", ".m4v", ".mkv", ".flv", ".ts", ".mts", ".m2ts", ".webm", ".avi", ".wmv"}
)


@dataclass
class BatchInput:
    video: Path
    products: ProductList | None = None
    products_source: str = ""


def _from_list(path: Path) -> list[Path]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read the list {path}: {exc}", hint="pass a UTF-8 text file"
        ) from None
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        entry = Path(line).expanduser()
        entry = entry if entry.is_absolute() else path.parent / entry
        if not entry.exists():
            raise InputError(
                f"{path.name} line {n}: {line} not found", hint="fix or remove the line"
            )
        out.extend(_expand(entry, from_list=True))
    return out


def _expand(path: Path, from_list: bool = False) -> list[Path]:
    if path.is_dir():
        found = sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES and not p.name.startswith(".")
        )
        return found
    if path.suffix.lower() == ".txt" and not from_list:
        return _from_list(path)
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise InputError(
            f"{path} is not a video file ({path.suffix or 'no extension'})",
            hint=f"pass videos ({', '.join(sorted(VIDEO_SUFFIXES))}), folders or a .txt list",
        )
    return [path]


def collect_recordings(paths: list[Path]) -> list[Path]:
    """Every recording the PATHs name, resolved, each once, in the order given."""
    out: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise InputError(f"not found: {path}", hint="check the path")
        for video in _expand(path):
            out.setdefault(video.resolve(), None)
    if not out:
        raise InputError(
            "no recordings found in " + ", ".join(str(p) for p in paths),
            hint=f"folders are searched for {', '.join(sorted(VIDEO_SUFFIXES))}",
        )
    return list(out)


def attach_products(videos: list[Path], products: Path | None) -> list[BatchInput]:
    """Each recording with its list: the one ``products`` file for all, or from a folder the
    file named like the recording (none there: no list for that one)."""
    if products is None:
        return [BatchInput(v) for v in videos]
    products = Path(products).expanduser()
    if not products.exists():
        raise InputError(f"product list not found: {products}", hint="check the --products path")
    if products.is_file():
        shared = load_products(products)
        return [BatchInput(v, shared, products.name) for v in videos]
    by_stem: dict[str, Path] = {}
    for f in sorted(products.iterdir()):
        if f.is_file() and f.suffix.lower() in PRODUCT_SUFFIXES:
            if f.stem in by_stem:
                raise InputError(
                    f"two product lists for {f.stem}: {by_stem[f.stem].name} and {f.name}",
                    hint="keep one list per recording",
                )
            by_stem[f.stem] = f
    out = []
    for v in videos:
        found = by_stem.get(v.stem)
        out.append(BatchInput(v, load_products(found), found.name) if found else BatchInput(v))
    return out
