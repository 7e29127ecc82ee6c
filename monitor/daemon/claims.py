"""How much a poll worker claims at once (PostgreSQL, several poll workers). Pure.

A worker leases whole hosts (its own per-host limits then hold across all workers) and
claims a few of each one's due feeds. If each took as many hosts as it could hold, the first
to ask would hold most of them, and at the end of a cycle it would poll its last hosts alone
while the others wait with nothing left to claim. So a worker holds at most its share of the
hosts that have work, and the batches shrink as the due feeds run out: near the end, the
last feeds are spread over every worker in small pieces.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from monitor.store.types import ClaimOutlook


@dataclass(frozen=True)
class ClaimSize:
    hosts: int  # hosts to lease now (0: wait until some of those in hand go back)
    per_host: int  # due feeds to claim from each
    hand: int  # the hosts this worker holds at most, as things stand


def claim_size(outlook: ClaimOutlook, *, in_hand: int, most: int, per_host: int, least: int = 1) -> ClaimSize:
    """How many hosts to lease now, and how many feeds of each, for a worker holding
    `in_hand` hosts, that may hold `most`, with `per_host` feeds a host at most and `least`
    at least (the requests a host takes at once: fewer would leave its slots idle).

    Hosts: the worker's share of the hosts with work (rounded up, `most` at most), less what
    it holds; claimed once a quarter of that share is free, so that claims come in batches,
    and at once while the worker holds none (a share may be stale: a worker that just died
    is still counted for a heartbeat or two). Feeds per host: all the due feeds shared over
    every worker's hosts in hand, so that the last ones go to all the workers, in batches of
    `per_host` at most and `least` at least.
    """
    workers = max(1, outlook.workers)
    hand = max(1, min(most, ceil(outlook.hosts / workers)))
    room = hand - in_hand
    hosts = room if (in_hand == 0 or room >= max(1, hand // 4)) else 0
    feeds = max(1, min(per_host, max(least, ceil(outlook.due_feeds / (workers * hand)))))
    return ClaimSize(hosts=max(0, hosts), per_host=feeds, hand=hand)
