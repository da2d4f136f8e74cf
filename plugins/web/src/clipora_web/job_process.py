"""Entry point of the process that runs one web job: the ``clipora`` CLI with signals that end a
stage cleanly.

``python -m clipora_web.job_process run <job-dir> ...`` is ``clipora run <job-dir> ...``,
except that SIGINT and SIGTERM both raise ``KeyboardInterrupt`` whatever the parent process had
ignored, so a stop from the UI ends the running stage as ``interrupted`` (never left ``running``).
"""

from __future__ import annotations

import signal
import sys
from typing import Any


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    from clipora_core.api import cli_main

    sys.argv[0] = "clipora"
    cli_main()


if __name__ == "__main__":
    main()
