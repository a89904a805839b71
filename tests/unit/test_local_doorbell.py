"""The local task worker's doorbell: a ring is never lost, and a closed one never blocks."""

from __future__ import annotations

import threading

from alchemiser_local.tasks import Doorbell

#: Long enough that a wait ending early can only be the ring's doing.
LONG = 60.0
#: How long a test gives a woken waiter to finish (far below LONG).
PROMPT = 10.0


def test_a_ring_before_the_wait_ends_the_wait_at_once():
    # Given a waiter that looked at its queue (seen) before the ring
    bell = Doorbell()
    seen = bell.rings
    bell.ring()

    # When it waits
    woke = threading.Event()

    def wait() -> None:
        bell.wait(seen, LONG)
        woke.set()

    waiter = threading.Thread(target=wait)
    waiter.start()
    waiter.join(timeout=PROMPT)

    # Then it does not wait for the timeout
    assert woke.is_set()


def test_a_ring_wakes_every_waiter():
    bell = Doorbell()
    seen = bell.rings
    started = threading.Barrier(3)
    woke: list[int] = []

    def wait(number: int) -> None:
        started.wait()
        bell.wait(seen, LONG)
        woke.append(number)

    waiters = [threading.Thread(target=wait, args=(n,)) for n in (1, 2)]
    for waiter in waiters:
        waiter.start()
    started.wait()
    bell.ring()
    for waiter in waiters:
        waiter.join(timeout=PROMPT)

    assert sorted(woke) == [1, 2]


def test_a_closed_doorbell_lets_nobody_wait():
    bell = Doorbell()
    bell.close()

    waiter = threading.Thread(target=bell.wait, args=(bell.rings, LONG))
    waiter.start()
    waiter.join(timeout=PROMPT)

    assert not waiter.is_alive()


def test_without_a_ring_the_wait_ends_at_its_timeout():
    bell = Doorbell()

    bell.wait(bell.rings, 0.01)

    assert bell.rings == 0
