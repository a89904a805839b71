"""``make load``: hundreds of workflows' events through the router, duplicates included.

One local stack (paper broker, its bar store seeded for every day) runs one workflow per
trading day, each with real effects: orders in the paper account, ledger entries, and
the events it publishes.

First, one workflow has each of its events delivered ``concurrent`` times at once
(Lambda running duplicates side by side): one delivery takes the claim, the others find
it in progress and are retried by Lambda, and then answered as duplicates.

Then the daily trade schedule fires for every other day and the router's delivery queue
is drained into a pool, delivered in a shuffled order: each delivery takes a random
pending envelope, so workflows interleave at random, and an event can only be delivered
once its cause was handled (it enters the pool when it is published, as on AWS). A share
of the deliveries (``duplicate_share``) is put back into the pool at a random place, to
be delivered again later (EventBridge's at-least-once delivery). One exception keeps the
workflows meaningful on one paper account: a plan (SignalGenerated's step) and its
execution (RebalancePlanned's) are delivered back to back, so no other workflow trades
between a plan and its orders, and plans are made in the order of their trading days
(the first delivery of a SignalGenerated waits until every earlier day is planned), so
the account trades its days in order, as it does on AWS. Without that, two hundred days
of one account traded in a random order buy at one day's prices and sell at another's
until the account is gone, and each later workflow has nothing left to trade.

Everything must have exactly one effect: each event published once, each planned order
placed once, each order outcome in the ledger once, each workflow ended once. The
figures, of the shuffled phase: throughput (router deliveries and workflows per second)
and the router's latency per delivery (p50, p95, p99 in ms).
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from alchemiser_local.alpaca_local import new_york_at
from alchemiser_local.chaos import event_copies
from alchemiser_local.chaos_run import (
    Observation,
    StackPaths,
    direct_client,
    failure_records,
    ledger_orders,
    logging_to,
    paper_orders,
    record_into,
    through,
    working,
)
from alchemiser_local.emulator import Emulator
from alchemiser_local.fault_proxy import running_proxy
from alchemiser_local.runner import DAILY_TRADE
from alchemiser_local.service import build_deliveries
from alchemiser_local.session import running_stack
from alchemiser_local.tasks import InProcessWorker

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from alchemiser_local.chaos_run import Invocation
    from alchemiser_local.delivery import Deliveries
    from alchemiser_local.functions import FunctionHost

__all__ = ["LoadOptions", "run_load"]

_ROUTER = "EventRoutingFunction"
#: Planning reads the account its execution then changes: the two are delivered back to
#: back (one account; on AWS one workflow trades a day), everything else interleaves.
_PLANNING = "SignalGenerated"
_TRADE_TIME = (9, 35)
_SETTLE_SECONDS = 300.0
_RECEIVE_BATCH = 10
_PERCENTILES = (50, 95, 99)


@dataclass(frozen=True)
class LoadOptions:
    """How much load, and how it is shuffled."""

    workflows: int = 200
    duplicate_share: float = 0.10
    concurrent: int = 10
    #: The first trading day; one workflow per trading day from there.
    first_day: date = date(2025, 1, 2)
    seed: int = 7
    #: Lambda's wait before retrying a delivery that found the claim in progress.
    retry_delay_seconds: float = 1.0


#: An envelope waiting to be delivered, and whether it is a duplicate of a delivered one.
_Waiting = tuple[dict[str, Any], bool]


@dataclass
class _Pool:
    """Envelopes waiting to be delivered, drawn in a seeded random order."""

    rng: random.Random
    waiting: list[_Waiting] = field(default_factory=list)

    def add(self, envelope: dict[str, Any], *, duplicate: bool = False) -> None:
        self.waiting.insert(self.rng.randint(0, len(self.waiting)), (envelope, duplicate))

    def take(self, eligible: Callable[[_Waiting], bool]) -> _Waiting:
        """A random waiting envelope among the ``eligible`` ones (there always is one)."""
        choices = [index for index, item in enumerate(self.waiting) if eligible(item)]
        return self.waiting.pop(self.rng.choice(choices))


@dataclass
class _Run:
    options: LoadOptions
    deliveries: Deliveries
    pool: _Pool
    observation: Observation
    duplicates: int = 0
    bursts: int = 0
    #: Deliveries of the shuffled phase, duplicates included (retries not).
    shuffled: int = 0
    #: Where the shuffled phase starts among the invocations.
    shuffle_from: int = 0

    @property
    def router(self) -> FunctionHost:
        return self.deliveries.hosts[_ROUTER]


def trading_days(options: LoadOptions) -> tuple[date, ...]:
    """``options.workflows`` trading days from ``options.first_day``."""
    from alchemiser.trading.market_calendar import trading_days as days  # noqa: PLC0415

    chosen = days(options.first_day, options.first_day + timedelta(days=2 * options.workflows))
    return chosen[: options.workflows]


def run_load(options: LoadOptions, paths: StackPaths) -> dict[str, Any]:
    """Run the load (see the module docstring); its figures and effect counts."""
    from alchemiser_local.seed import seed_world, synthetic_world  # noqa: PLC0415

    dates = trading_days(options)
    world = synthetic_world(first_day=dates[0], last_day=dates[-1], seed=options.seed)
    observation = Observation(scenario="load")
    with (
        running_stack(
            template=paths.template, root=paths.root, stage="dev", emulator=Emulator()
        ) as (endpoint, stack),
        running_proxy(upstream=endpoint) as proxy,
        logging_to(paths.log_file("load")),
    ):
        seed_world(stack, world)
        worker = InProcessWorker(environment=stack.stage)
        deliveries = build_deliveries(stack, worker, record_into(observation))
        deliveries.hosts[_ROUTER].retry_delay_seconds = options.retry_delay_seconds
        rng = random.Random(options.seed)  # noqa: S311 - a shuffle, not a secret
        run = _Run(options, deliveries, _Pool(rng), observation)
        with through(proxy, {}), working(worker):
            _concurrently(run, dates[0])
            started = time.perf_counter()
            _shuffled(run, dates[1:])
            delivering = time.perf_counter() - started
            deliveries.settle(timeout_seconds=_SETTLE_SECONDS)  # the ledger tasks
        dynamodb = direct_client("dynamodb", endpoint)
        observation.requests = proxy.requests
        orders = paper_orders(stack, dynamodb)
        ledger = ledger_orders(stack, dynamodb)
        failures = failure_records(stack, direct_client("sqs", endpoint))
    return _figures(run, dates, delivering, _Effects(orders, ledger, failures))


def _wall(hour_minute: tuple[int, int]) -> Any:  # noqa: ANN401 - datetime.time
    from datetime import time as wall_time  # noqa: PLC0415

    return wall_time(*hour_minute)


def _fire(run: _Run, day: date) -> None:
    schedule = run.deliveries.stack.schedule(DAILY_TRADE)
    run.deliveries.fire(schedule, new_york_at(day, _wall(_TRADE_TIME)))


def _concurrently(run: _Run, day: date) -> None:
    """``day``'s workflow with each of its events delivered ``concurrent`` times at once."""
    _fire(run, day)
    _receive(run)
    while run.pool.waiting:
        envelope, _ = run.pool.take(lambda _: True)
        _burst(run, envelope)
        _receive(run)


def _shuffled(run: _Run, days: Sequence[date]) -> None:
    """Every day's workflow, interleaved at random, a share of deliveries duplicated."""
    run.shuffle_from = len(run.observation.invocations)
    unplanned = sorted(day.isoformat() for day in days)
    for day in days:
        _fire(run, day)
    _receive(run)

    def eligible(item: _Waiting) -> bool:
        envelope, duplicate = item
        planning = envelope["detail-type"] == _PLANNING and not duplicate
        return not planning or envelope["detail"]["trading_date"] == unplanned[0]

    while run.pool.waiting:
        envelope, duplicate = run.pool.take(eligible)
        _deliver(run, envelope, duplicate=duplicate)
        if envelope["detail-type"] == _PLANNING and not duplicate:
            unplanned.pop(0)
            _deliver(run, _caused_by(run, envelope), duplicate=False)


def _deliver(run: _Run, envelope: dict[str, Any], *, duplicate: bool) -> None:
    run.router.invoke_async(envelope)
    run.shuffled += 1
    if not duplicate:
        _maybe_again(run, envelope)
    _receive(run)


def _caused_by(run: _Run, cause: dict[str, Any]) -> dict[str, Any]:
    """The waiting event ``cause`` caused, taken out of the pool."""
    event_id = cause["detail"]["event_id"]
    for index, (envelope, duplicate) in enumerate(run.pool.waiting):
        if not duplicate and envelope["detail"]["causation_id"] == event_id:
            del run.pool.waiting[index]
            return envelope
    raise LookupError(f"{cause['detail-type']} {event_id} caused nothing")


def _maybe_again(run: _Run, envelope: dict[str, Any]) -> None:
    """Put a share of the first deliveries back in the pool, for a later duplicate."""
    if run.pool.rng.random() < run.options.duplicate_share:
        run.duplicates += 1
        run.pool.add(envelope, duplicate=True)


def _burst(run: _Run, envelope: dict[str, Any]) -> None:
    """``concurrent`` deliveries of ``envelope`` at once (each with Lambda's retries)."""
    run.bursts += 1
    with ThreadPoolExecutor(max_workers=run.options.concurrent) as pool:
        list(pool.map(lambda _: run.router.invoke_async(envelope), range(run.options.concurrent)))


def _receive(run: _Run) -> None:
    """Move what the router's rule delivered into the pool."""
    deliveries = run.deliveries
    url = deliveries.stack.functions[_ROUTER].delivery_queue_url
    while True:
        received = deliveries.sqs.receive_message(
            QueueUrl=str(url), MaxNumberOfMessages=_RECEIVE_BATCH, WaitTimeSeconds=0
        ).get("Messages", [])
        if not received:
            return
        for message in received:
            run.pool.add(json.loads(message["Body"]))
            deliveries.sqs.delete_message(QueueUrl=str(url), ReceiptHandle=message["ReceiptHandle"])


@dataclass(frozen=True)
class _Effects:
    """What the load left: the broker's orders, the ledger, deliveries given up."""

    orders: list[dict[str, str]]
    ledger: int
    failures: int


def _percentiles(seconds: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {f"p{p}_ms": round(cuts[p - 1] * 1000, 1) for p in _PERCENTILES}


def _orders_expected(executed: list[Invocation]) -> int:
    """Order outcomes the TradeExecuted events report (each one is a ledger entry)."""
    return sum(len(i.payload["detail"]["orders"]) for i in executed)


def _orders_at_broker(executed: list[Invocation]) -> int:
    """Orders the TradeExecuted events report the broker took (all but ``not_placed``)."""
    outcomes = (o for i in executed for o in i.payload["detail"]["orders"])
    return sum(1 for order in outcomes if order["status"] != "not_placed")


def _ends(handled: list[Invocation]) -> Counter[str]:
    """How many times each workflow ended (WorkflowCompleted or WorkflowFailed handled)."""
    ending = (i for i in handled if i.detail_type in ("WorkflowCompleted", "WorkflowFailed"))
    return Counter(str(i.payload["detail"]["correlation_id"]) for i in ending)


def _more_than_once(counts: Counter[Any]) -> int:
    return sum(n - 1 for n in counts.values() if n > 1)


def _effects(handled: list[Invocation], effects: _Effects, run: _Run) -> dict[str, Any]:
    executed = [i for i in handled if i.detail_type == "TradeExecuted"]
    copies = event_copies(run.observation)
    ends = _ends(handled)
    return {
        "events_published": sum(copies.values()),
        "events_published_twice": _more_than_once(copies),
        "orders_placed": len(effects.orders),
        "orders_in_trade_executed": _orders_at_broker(executed),
        "orders_placed_twice": _more_than_once(
            Counter((o["day"], o["symbol"], o["side"]) for o in effects.orders)
        ),
        "ledger_entries": effects.ledger,
        "ledger_entries_expected": _orders_expected(executed),
        "workflows_ended": len(ends),
        "workflows_ended_twice": _more_than_once(ends),
        "failure_records": effects.failures,
    }


def _router(invocations: Sequence[Invocation]) -> list[Invocation]:
    return [i for i in invocations if i.function == _ROUTER]


def _figures(
    run: _Run, dates: tuple[date, ...], delivering: float, effects: _Effects
) -> dict[str, Any]:
    routed = _router(run.observation.invocations)
    handled = [i for i in routed if i.status == "handled"]
    timed = _router(run.observation.invocations[run.shuffle_from :])
    return {
        "workflows": len(dates),
        "trading_days": [dates[0].isoformat(), dates[-1].isoformat()],
        "events": len({i.event_id for i in handled}),
        "deliveries": len(routed),
        "duplicates": run.duplicates,
        "duplicate_share": round(run.duplicates / max(1, run.shuffled - run.duplicates), 3),
        "concurrent_deliveries": run.options.concurrent,
        "concurrent_events": run.bursts,
        "outcomes": dict(Counter(i.status for i in routed)),
        "effects": _effects(handled, effects, run),
        "throughput_deliveries_per_s": round(run.shuffled / delivering, 1),
        "throughput_workflows_per_s": round((len(dates) - 1) / delivering, 2),
        "latency": _percentiles([i.seconds for i in timed]),
        "latency_handled": _percentiles([i.seconds for i in timed if i.status == "handled"]),
        "delivering_seconds": round(delivering, 1),
    }
