"""`monitor run`: APScheduler drives the poll pass per feed as each falls due.

Roles (`--role poll|stories|deliver|all`): on PostgreSQL any number of processes of each
role share one database. Poll workers claim due feeds by host (monitor.store.workers) instead
of scheduling each feed; one stories process at a time runs the stages (the sequencer holds
an advisory lock; another takes over within seconds when it dies); deliver processes send
digests and alerts, each claimed row by row. On SQLite one process does everything.

SIGTERM/SIGINT: stop scheduling, let the polls in hand finish (a few seconds at most), stop
the stories stage between two chunks of texts (its batch in hand is dropped whole), close
the database, exit 0; `monitor run` then ends the process without unwinding the threads a
stage may still hold (ONNX Runtime's, see `end_process`). feeds.yaml is re-read when it
changes; a bad edit is logged and the last good config kept.

One module per role, each a part of `Daemon` (as the store is made of one part per
concern): `process` (start, signals, stop), `poll` (per-feed schedule on SQLite, claim
rounds on PostgreSQL), `stories` (the later stages, the sequencer), `deliver` (digests and
alerts), `reload` (feeds.yaml edits), `workers` (heartbeats and database outages, with
other processes on PostgreSQL); `base` holds what they share.
"""

from monitor.daemon.base import CANCEL_GRACE, ROLES, SHUTDOWN_GRACE
from monitor.daemon.poll import claim_per_host, lease_seconds, retry_delay, spread_overdue
from monitor.daemon.process import Daemon, end_process, start_line
from monitor.daemon.reload import RELOAD_EVERY
from monitor.daemon.workers import ALIVE_WITHIN, HEARTBEAT_EVERY, Outage, default_worker_name

__all__ = [
    "ALIVE_WITHIN",
    "CANCEL_GRACE",
    "HEARTBEAT_EVERY",
    "RELOAD_EVERY",
    "ROLES",
    "SHUTDOWN_GRACE",
    "Daemon",
    "Outage",
    "claim_per_host",
    "default_worker_name",
    "end_process",
    "lease_seconds",
    "retry_delay",
    "spread_overdue",
    "start_line",
]
