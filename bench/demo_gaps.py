"""The longest silence of a command: run it, stamp each line it prints (stdout and stderr
together) with the time it arrived, and report the largest gaps between lines.

    python bench/demo_gaps.py -- make demo
    python bench/demo_gaps.py --tty -- .venv/bin/python demo/run_demo.py

With --tty the command runs on a pseudo-terminal, as in a shell: progress bars redraw their
line with a carriage return, and each redraw counts as a line. Without it the command writes
to a pipe, as under CI or `| tee`, where long steps log lines instead of drawing bars.
`make demo` promises no gap over 5 s (issue 23).

Measured on 2 cores shared with other work (load average 4-10), with a fresh venv and an empty
model cache (MONITOR_CACHE_DIR), longest silence before -> after the changes of issue 23:
- `make demo` from nothing, on a terminal: 18.0 s (pip install --quiet) -> 3.3-4.8 s (ensurepip);
- `make install` on a terminal: 34.4 s -> 2.2 s (pip's own bar, package by package);
- demo/run_demo.py on a terminal: 16.8-17.4 s (the model build, a batch of 256 embedded) ->
  1.9-2.2 s; to a pipe: 11.2-19.0 s -> 3.3-3.5 s (a log line at least every 2 s).
Where stdout is not a terminal pip draws no bar while it installs: that step stays silent."""

from __future__ import annotations

import argparse
import fcntl
import itertools
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time

_ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def _stamped(stream: int, started: float) -> list[tuple[float, str]]:
    """(seconds since start, line) for each line read from the file descriptor, up to EOF.
    A carriage return ends a line too, and so does the end of what one read returned: a
    progress bar redraws itself as "\\r" and its text, with no end of line after it."""
    lines: list[tuple[float, str]] = []
    while True:
        try:
            chunk = os.read(stream, 65536)
        except OSError:  # the pseudo-terminal is gone: the command ended
            chunk = b""
        if not chunk:
            return lines
        now = time.monotonic() - started
        for raw in re.split(rb"\r\n|\r|\n", chunk):
            text = _ESCAPES.sub(b"", raw).decode("utf-8", "replace").rstrip()
            if text:
                lines.append((now, text))
                print(f"{now:7.1f}  {text}", flush=True)


def run(command: list[str], *, tty: bool) -> tuple[int, list[tuple[float, str]], float]:
    """The command's exit status, its stamped lines and how long it ran."""
    started = time.monotonic()
    if tty:
        leader, follower = pty.openpty()
        # A new pseudo-terminal is 0 columns wide, and tqdm draws nothing in 0 columns.
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower)
        os.close(follower)
        lines = _stamped(leader, started)
        os.close(leader)
    else:
        child = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        assert child.stdout is not None
        lines = _stamped(child.stdout.fileno(), started)
    status = child.wait()
    return status, lines, time.monotonic() - started


def gaps(lines: list[tuple[float, str]], total: float) -> list[tuple[float, float, str]]:
    """(gap in seconds, when it ended, the line after it), longest first; the start and the
    end of the run count as lines."""
    marks = [(0.0, "(start)"), *lines, (total, "(end)")]
    found = [(b[0] - a[0], b[0], b[1]) for a, b in itertools.pairwise(marks)]
    return sorted(found, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tty", action="store_true", help="run on a pseudo-terminal")
    parser.add_argument("--top", type=int, default=5, help="how many of the longest gaps to show")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    status, lines, total = run(args.command, tty=args.tty)
    print(f"\n{len(lines)} lines in {total:.1f} s, exit status {status}; the longest gaps:")
    for gap, at, line in gaps(lines, total)[: args.top]:
        print(f"  {gap:5.1f} s before {at:7.1f}  {line[:100]}")
    sys.exit(status)


if __name__ == "__main__":
    main()
