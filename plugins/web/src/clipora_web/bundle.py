"""A job's clips in one zip, written while it downloads.

Videos are stored, not deflated (mp4 does not shrink and deflating would only cost CPU); the zip
is produced chunk by chunk into the response, so a job's gigabytes are never copied to disk or
held in memory. Only files ``jobstate.read_outputs`` vouches for (inside the job folder) go in.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

CHUNK = 1024 * 1024
STORED_SUFFIXES = (".mp4", ".jpg", ".jpeg", ".png")


class _Pipe:
    """A write-only file for ``ZipFile``; what was written is taken out with ``drain``."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def bundle_members(entries: list[dict[str, Any]], plan: Path | None) -> list[tuple[str, Path]]:
    """(name in the zip, file) for each clip, its burned-in version, subtitles and cover, and
    the edit plan; clips in plan order, each file once."""
    members: list[tuple[str, Path]] = []
    seen: set[Path] = set()

    def add(folder: str, path: Path | None) -> None:
        if path is not None and path not in seen and path.is_file():
            seen.add(path)
            members.append((f"{folder}/{path.name}" if folder else path.name, path))

    for entry in entries:
        if not entry["success"]:
            continue
        add("clips", entry["path"])
        add("clips", entry["burned"])
        for sub in entry["subtitles"].values():
            add("subtitles", sub)
        add("covers", entry["cover"])
    add("", plan)
    return members


def stream_zip(members: list[tuple[str, Path]]) -> Iterator[bytes]:
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", allowZip64=True) as zf:  # type: ignore[arg-type]
        for name, path in members:
            method = zipfile.ZIP_STORED if name.lower().endswith(STORED_SUFFIXES) else None
            info = zipfile.ZipInfo.from_file(path, name)
            info.compress_type = method if method is not None else zipfile.ZIP_DEFLATED
            with path.open("rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
                    yield pipe.drain()
            yield pipe.drain()
    yield pipe.drain()


def attachment_header(filename: str) -> str:
    """Content-Disposition for a name that may be Chinese (RFC 6266 / 5987)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
