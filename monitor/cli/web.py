"""`monitor serve`: the read-only web views (pages, JSON API, Atom, /metrics)."""

from __future__ import annotations

import errno
import logging
import socket
from typing import TYPE_CHECKING

import click

from monitor.errors import MonitorError
from monitor.store import open_store

if TYPE_CHECKING:
    from monitor.cli.context import Context

log = logging.getLogger("monitor.web")


@click.command()
@click.option("--host", default=None, help="Address to listen on (default web.host, else 127.0.0.1).")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on (default web.port, else 8080).",
)
@click.pass_obj
def serve(obj: Context, host: str | None, port: int | None) -> None:
    """Serve the stories, feeds, JSON API, Atom feeds and /metrics over HTTP, read-only.

    Runs beside `monitor run` on the same database; it never writes to it.
    """
    import uvicorn

    from monitor.web.app import create_app, serve_address

    config = obj.config
    address, number = serve_address(config, host, port)
    open_store(obj.database, readonly=True).close()  # refuse a missing or unmigrated database now
    app = create_app(obj.database, config)
    listening = _listen(address, number)  # a busy port fails here, before "serving" is said
    click.echo(f"serving http://{address}:{number}/ (database {obj.database}, read-only)", err=True)
    log.info("event=web_started host=%s port=%d db=%s", address, number, obj.database)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=address,
            port=number,
            log_config=None,
            access_log=False,
            server_header=False,
            # A search of 20,000 characters fits in the request line, percent-encoded
            # (up to 9 bytes a character); h11's default cap is 16 KiB.
            h11_max_incomplete_event_size=256 * 1024,
        )
    )
    server.run(sockets=[listening])


def _listen(address: str, port: int) -> socket.socket:
    """The bound socket `serve` answers on (uvicorn listens on it)."""
    try:
        family, kind, proto, _, where = socket.getaddrinfo(
            address, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise MonitorError(f"cannot listen on {address}:{port}: {exc.strerror or exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart need not wait
        sock.bind(where)
    except OSError as exc:
        sock.close()
        busy = " (another program uses it; choose --port)" if exc.errno == errno.EADDRINUSE else ""
        raise MonitorError(f"cannot listen on {address}:{port}: {exc.strerror or exc}{busy}") from None
    return sock
