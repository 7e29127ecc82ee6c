"""The `monitor` command line: one module per command group."""

from monitor.cli.main import main

__all__ = ["main"]
