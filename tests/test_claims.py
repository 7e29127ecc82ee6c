"""daemon/claims.py: how much a poll worker claims at once, as plain figures."""

from __future__ import annotations

from monitor.daemon.claims import claim_size
from monitor.store.types import ClaimOutlook


def size(
    hosts: int, due: int, workers: int, in_hand: int = 0, most: int = 128, per_host: int = 8, least: int = 1
) -> tuple[int, int]:
    s = claim_size(
        ClaimOutlook(hosts=hosts, due_feeds=due, workers=workers),
        in_hand=in_hand,
        most=most,
        per_host=per_host,
        least=least,
    )
    return s.hosts, s.per_host


def test_a_worker_takes_its_share_of_the_hosts_not_all_it_could_hold() -> None:
    # bench/scale.py's cycle: 200 hosts, 10,000 due feeds. Alone, a worker holds what it can.
    assert size(200, 10_000, workers=1) == (128, 8)
    # Two workers: half the hosts each, whichever asks first.
    assert size(200, 10_000, workers=2) == (100, 8)
    assert size(200, 10_000, workers=3) == (67, 8)


def test_more_hosts_are_claimed_once_a_quarter_of_the_share_went_back() -> None:
    assert size(200, 10_000, workers=2, in_hand=100)[0] == 0
    assert size(200, 10_000, workers=2, in_hand=80)[0] == 0
    assert size(200, 10_000, workers=2, in_hand=75)[0] == 25
    # The share shrinks with the hosts that still have work: no more claims meanwhile.
    assert size(60, 1_000, workers=2, in_hand=40)[0] == 0


def test_a_worker_with_nothing_in_hand_always_claims_something() -> None:
    assert size(0, 0, workers=2) == (1, 1)  # the outlook may be a moment old
    assert size(1, 3, workers=4) == (1, 1)
    assert size(1, 3, workers=0) == (1, 3)  # its own heartbeat not yet written


def test_batches_shrink_as_the_due_feeds_run_out() -> None:
    # Plenty due: full batches. Near the end: the rest spread over both workers' hosts.
    assert size(200, 10_000, workers=2)[1] == 8
    assert size(200, 1_000, workers=2)[1] == 5
    assert size(200, 300, workers=2)[1] == 2
    assert size(150, 100, workers=2)[1] == 1
    # Never fewer than the requests a host takes at once (its slots would idle), nor than one,
    # never more than per_host.
    assert size(150, 100, workers=2, least=2)[1] == 2
    assert size(150, 100, workers=2, least=20)[1] == 8
    assert size(4, 96, workers=2, most=4, per_host=4)[1] == 4
    assert size(4, 0, workers=2, most=4, per_host=4)[1] == 1


def test_the_hosts_claimed_never_exceed_what_the_worker_may_hold() -> None:
    for hosts in (0, 1, 7, 200, 5_000):
        for workers in (0, 1, 2, 5):
            for in_hand in (0, 1, 50, 128):
                claimed, per = size(hosts, 10_000, workers, in_hand=in_hand)
                assert 0 <= claimed <= 128 - in_hand or (in_hand == 0 and claimed == 1)
                assert 1 <= per <= 8
