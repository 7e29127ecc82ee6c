"""The `monitor` command line: one module per command group."""

import signal
import sys
from pathlib import Path
from types import FrameType


def _stop_while_importing(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


# `monitor run` exits 0 on SIGTERM or SIGINT at any moment, also while Python still imports
# the command line (about half a second, before `run` installs its own handlers): nothing is
# open yet. Only for the program itself (`monitor`, `python -m monitor`), never for a process
# that merely imports this package.
if Path(sys.argv[0]).name in ("monitor", "__main__.py") and "run" in sys.argv[1:]:
    for _signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(_signal, _stop_while_importing)

from monitor.cli.main import main  # noqa: E402

__all__ = ["main"]
