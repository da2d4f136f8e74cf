"""Atomic file writes: a reader (or a crash) never sees a half-written JSON file."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def to_jsonable(payload: Any) -> Any:
    if isinstance(payload, BaseModel):
        return payload.model_dump(mode="json")
    if isinstance(payload, list | tuple):
        return [to_jsonable(p) for p in payload]
    if isinstance(payload, dict):
        return {k: to_jsonable(v) for k, v in payload.items()}
    if isinstance(payload, Path):
        return str(payload)
    return payload


def write_json(path: Path, payload: Any) -> None:
    text = json.dumps(to_jsonable(payload), ensure_ascii=False, indent=2)
    atomic_write_text(path, text + "\n")


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        try:
            return json.load(fh)
        except RecursionError:
            # A damaged file of nested brackets: callers treat it like any malformed JSON.
            raise ValueError("JSON nested too deeply") from None
