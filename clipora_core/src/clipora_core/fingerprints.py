"""What stage fingerprints and the ASR cache are made of: config as flat JSON-safe data (secrets
hashed), key patterns, and a cheap identity for multi-GB media files."""

from __future__ import annotations

import fnmatch
import hashlib
from pathlib import Path
from typing import Any


def matches(key: str, patterns: list[str] | tuple[str, ...]) -> bool:
    return any(key == p or key.startswith(p + ".") or fnmatch.fnmatchcase(key, p) for p in patterns)


def sampled_file_hash(path: Path, samples: int = 16, chunk: int = 1 << 16) -> str:
    """Hash size plus evenly spaced chunks: identifies a multi-GB file without reading it all."""
    size = path.stat().st_size
    h = hashlib.sha256(str(size).encode())
    with open(path, "rb") as fh:
        if size <= samples * chunk:
            h.update(fh.read())
        else:
            step = (size - chunk) // (samples - 1)
            for i in range(samples):
                fh.seek(i * step)
                h.update(fh.read(chunk))
    return h.hexdigest()


def fingerprintable(settings: Any) -> Any:
    """Settings as JSON-safe data where each secret becomes a short hash of its value: switching
    credentials (e.g. to an app key with another language model) changes fingerprints, while
    the secret itself never reaches a manifest or log."""
    from pydantic import SecretStr

    def walk(value: Any) -> Any:
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            return "secret:" + hashlib.sha256(secret.encode()).hexdigest()[:12] if secret else ""
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        if isinstance(value, Path):
            return str(value)
        return value

    return walk(settings.model_dump(mode="python"))


def flat(data: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(v, dict):
                out.update(flat(v, f"{prefix}{k}."))
            else:
                out[f"{prefix}{k}"] = v
    return out
