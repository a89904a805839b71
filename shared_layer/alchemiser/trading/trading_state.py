"""The TradingStateTable: what trading must remember about an account across runs.

A general per-account state table (DynamoDB, ``pk``/``sk``), read and written only with
GetItem, PutItem and UpdateItem. Item layout:

- ``ACCOUNT#<account>`` / ``RISK``: the drawdown kill switch's state: ``peak_equity``
  and ``peak_at`` (absent until a run records one, and after a resume or a peak reset),
  ``kill_switch`` (``on``/``off``), ``tripped_at``, ``tripped_reason``,
  ``tripped_floor``, ``tripped_by`` (the id of the plan whose step tripped it),
  ``resumed_at``/``resumed_by``/``resume_reason``, ``peak_reset_at``/``peak_reset_by``/
  ``peak_reset_reason``;
- ``ACCOUNT#<account>`` / ``DAY#<YYYY-MM-DD>#TURNOVER``: the turnover (buys plus
  sells, money) planned on one trading day: ``reserved`` (the total) and ``plans`` (a
  map of plan id to its share);
- ``ACCOUNT#<account>`` / ``DAY#<YYYY-MM-DD>#EXECUTION``: the execution that holds the
  trading day (``trading.day_execution``): ``plan_id``, ``plan_digest``,
  ``correlation_id``, ``started_at`` (its first attempt) and ``last_attempt_at``,
  written before any order of the day;
- ``ACCOUNT#<account>`` / ``DAY#<YYYY-MM-DD>#<RECORD>``: room for other per-trading-day
  records of the account, next to its turnover.

``<account>`` is ``account_key``'s: ``paper`` for the paper broker, ``alpaca-paper`` or
``alpaca-live`` for Alpaca, so state never leaks between accounts.

Every change that must not be lost or made twice is a conditional write: a peak only
ever rises (a racing lower equity never overwrites a higher one), the switch flips on
only from off (one run flips it, however many race) and off only from on, and a
turnover reservation is an optimistic update of the day's total (a plan racing another
of the same day is refused and retried with fresh figures, so the day's total never
passes its limit), and a day's execution record is taken only if no other execution
holds it. Values are plain Python (Decimal, str) on this side, converted by the paper
broker's codec; instants are fixed-width UTC text (``timestamp``), so a condition can
compare them as strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alchemiser.aws import aws_errors, dynamodb_client, error_code, translate_aws_errors
from alchemiser.errors import (
    RiskCommandRejectedError,
    TradingStateUnavailableError,
    TurnoverConflictError,
)
from alchemiser.logging import get_logger
from alchemiser.trading.day_execution import DayExecution, ExecutionClaim
from alchemiser.trading.paper_items import from_item, to_item, utc_now
from alchemiser.trading.risk import KillSwitch

if TYPE_CHECKING:
    from datetime import date

    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = [
    "DayTurnover",
    "RiskState",
    "TradingStateTable",
    "account_key",
    "reset_peak",
    "resume_trading",
    "timestamp",
]

_RISK = "RISK"
_ON, _OFF = "on", "off"
_CONDITION_FAILED = "ConditionalCheckFailedException"
_MAX_OPERATOR_TEXT = 500

_log = get_logger(__name__)


def timestamp(at: datetime) -> str:
    """``at`` in UTC as fixed-width text (``2026-11-16T14:35:00.000000Z``): sorts as time."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def account_key(broker_backend: str, trading_mode: str) -> str:
    """The account state belongs to: ``paper`` (the paper broker) or ``alpaca-<mode>``."""
    return "paper" if broker_backend == "paper" else f"alpaca-{trading_mode}"


@dataclass(frozen=True, slots=True)
class RiskState:
    """An account's drawdown state: its peak equity and, when on, the kill switch."""

    peak_equity: Decimal | None = None
    peak_at: str | None = None
    kill_switch: KillSwitch | None = None
    #: The plan whose step flipped the switch on (its retry re-emits the notification).
    tripped_by: str | None = None


@dataclass(frozen=True, slots=True)
class DayTurnover:
    """The turnover planned on one trading day, as read (``reserved`` None: none yet)."""

    reserved: Decimal | None = None
    plans: dict[str, Decimal] = field(default_factory=dict)

    def used_by_others(self, plan_id: str) -> Decimal:
        """What every plan of the day but ``plan_id`` reserved (a retry replaces its own)."""
        return (self.reserved or Decimal(0)) - self.plans.get(plan_id, Decimal(0))


def _errors(what: str) -> Any:  # noqa: ANN401 - a context manager
    return translate_aws_errors(f"trading state: {what}", transient=TradingStateUnavailableError)


def _risk_state(values: dict[str, Any]) -> RiskState:
    switch = None
    if values.get("kill_switch") == _ON:
        switch = KillSwitch(
            since=datetime.fromisoformat(values["tripped_at"]),
            reason=values["tripped_reason"],
            floor=values["tripped_floor"],
        )
    return RiskState(
        peak_equity=values.get("peak_equity"),
        peak_at=values.get("peak_at"),
        kill_switch=switch,
        tripped_by=values.get("tripped_by"),
    )


class TradingStateTable:
    """The adapter over one TradingStateTable (the module docstring has the layout)."""

    def __init__(self, table_name: str, *, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> DynamoDBClient:
        """The injected client, or the container's."""
        return self._client or dynamodb_client()

    # --- drawdown ------------------------------------------------------------------------

    def risk_state(self, account: str) -> RiskState:
        """The account's drawdown state (consistent read)."""
        return _risk_state(self._get(account, _RISK, "reading the risk state"))

    def record_peak(self, account: str, equity: Decimal, *, at: str) -> RiskState:
        """Raise the peak to ``equity`` if it is higher (or there is none); the state after."""
        updated = self._update(
            account,
            _RISK,
            "SET peak_equity = :equity, peak_at = :at",
            {":equity": equity, ":at": at},
            condition="attribute_not_exists(peak_equity) OR peak_equity < :equity",
            what="recording the peak equity",
        )
        return _risk_state(updated) if updated is not None else self.risk_state(account)

    def trip(self, account: str, *, floor: Decimal, reason: str, plan_id: str, at: str) -> bool:
        """Turn the kill switch on, unless it is on; True if this call flipped it."""
        flipped = self._update(
            account,
            _RISK,
            "SET kill_switch = :on, tripped_at = :at, tripped_reason = :reason,"
            " tripped_floor = :floor, tripped_by = :plan",
            {
                ":on": _ON,
                ":off": _OFF,
                ":at": at,
                ":reason": reason,
                ":floor": floor,
                ":plan": plan_id,
            },
            condition="attribute_not_exists(kill_switch) OR kill_switch = :off",
            what="tripping the kill switch",
        )
        return flipped is not None

    def resume(self, account: str, *, by: str, reason: str, at: str) -> bool:
        """Turn the switch off and forget the peak, if it is on; True if this call did."""
        resumed = self._update(
            account,
            _RISK,
            "SET kill_switch = :off, resumed_at = :at, resumed_by = :by, resume_reason = :reason"
            " REMOVE peak_equity, peak_at",
            {":on": _ON, ":off": _OFF, ":at": at, ":by": by, ":reason": reason},
            condition="kill_switch = :on",
            what="resuming trading",
        )
        return resumed is not None

    def reset_peak(self, account: str, *, by: str, reason: str, at: str) -> None:
        """Forget the peak: the next run's equity is the new one (the switch is untouched)."""
        self._update(
            account,
            _RISK,
            "SET peak_reset_at = :at, peak_reset_by = :by, peak_reset_reason = :reason"
            " REMOVE peak_equity, peak_at",
            {":at": at, ":by": by, ":reason": reason},
            condition=None,
            what="resetting the peak equity",
        )

    # --- daily turnover ------------------------------------------------------------------

    def turnover(self, account: str, day: date) -> DayTurnover:
        """The turnover reserved on ``day`` (consistent read)."""
        values = self._get(account, _turnover_sk(day), "reading the day's turnover")
        return DayTurnover(reserved=values.get("reserved"), plans=values.get("plans", {}))

    def reserve_turnover(
        self, account: str, day: date, *, plan_id: str, amount: Decimal, seen: DayTurnover
    ) -> None:
        """Set ``plan_id``'s share of ``day`` to ``amount``, if the day is still as ``seen``.

        Raises:
            TurnoverConflictError: another plan of the day reserved meanwhile (retry).
        """
        total = seen.used_by_others(plan_id) + amount
        if seen.reserved is None:  # the day's first plan creates the item
            expression = "SET reserved = :total, plans = :plans"
            values: dict[str, Any] = {":total": total, ":plans": {plan_id: amount}}
            condition, names = "attribute_not_exists(reserved)", None
        else:
            expression = "SET reserved = :total, plans.#plan = :amount"
            values = {":total": total, ":amount": amount, ":seen": seen.reserved}
            condition, names = "reserved = :seen", {"#plan": plan_id}
        reserved = self._update(
            account,
            _turnover_sk(day),
            expression,
            values,
            condition=condition,
            what="reserving turnover",
            names=names,
        )
        if reserved is None:
            raise TurnoverConflictError(
                f"turnover of {account} on {day.isoformat()} changed while plan {plan_id}"
                " was checked; retry with fresh figures"
            )

    # --- the day's execution -------------------------------------------------------------

    def claim_execution(
        self, account: str, day: date, *, execution: DayExecution, not_before: datetime
    ) -> ExecutionClaim:
        """Record ``execution`` as the day's, unless another execution holds the day.

        The same execution (plan id and digest) started at ``not_before`` or later may
        claim again (a retry); its first start is kept.
        """
        values = {
            ":plan": execution.plan_id,
            ":digest": execution.plan_digest,
            ":workflow": execution.correlation_id,
            ":at": timestamp(execution.started_at),
            ":not_before": timestamp(not_before),
        }
        claimed = self._update(
            account,
            _execution_sk(day),
            "SET plan_id = :plan, plan_digest = :digest, correlation_id = :workflow,"
            " started_at = if_not_exists(started_at, :at), last_attempt_at = :at",
            values,
            condition="attribute_not_exists(plan_id) OR (plan_id = :plan"
            " AND plan_digest = :digest AND started_at >= :not_before)",
            what="recording the day's execution",
        )
        if claimed is not None:
            return ExecutionClaim(granted=True, execution=_execution(claimed))
        held = self._get(account, _execution_sk(day), "reading the day's execution")
        return ExecutionClaim(granted=False, execution=_execution(held))

    # --- access --------------------------------------------------------------------------

    def _key(self, account: str, sk: str) -> dict[str, Any]:
        return to_item({"pk": f"ACCOUNT#{account}", "sk": sk})

    def _get(self, account: str, sk: str, what: str) -> dict[str, Any]:
        with _errors(what):
            item = self.client.get_item(
                TableName=self.table_name, Key=self._key(account, sk), ConsistentRead=True
            ).get("Item")
        return from_item(item) if item else {}

    def _update(
        self,
        account: str,
        sk: str,
        expression: str,
        values: dict[str, Any],
        *,
        condition: str | None,
        what: str,
        names: dict[str, str] | None = None,
    ) -> dict[str, Any] | None:
        """The item after the update, or None when ``condition`` did not hold."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": self._key(account, sk),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": to_item(values),
            "ReturnValues": "ALL_NEW",
        }
        if condition:
            request["ConditionExpression"] = condition
        if names:
            request["ExpressionAttributeNames"] = names
        try:
            with _errors(what):
                response = self.client.update_item(**request)
        except aws_errors() as exc:
            if error_code(exc) == _CONDITION_FAILED:
                return None
            raise
        return from_item(response.get("Attributes", {}))


def _turnover_sk(day: date) -> str:
    return f"DAY#{day.isoformat()}#TURNOVER"


def _execution_sk(day: date) -> str:
    return f"DAY#{day.isoformat()}#EXECUTION"


def _execution(values: dict[str, Any]) -> DayExecution:
    return DayExecution(
        plan_id=values["plan_id"],
        plan_digest=values["plan_digest"],
        correlation_id=values["correlation_id"],
        started_at=datetime.fromisoformat(values["started_at"]),
    )


def _checked_operator(by: str, reason: str) -> None:
    for name, text in (("by", by), ("reason", reason)):
        if not text.strip() or len(text) > _MAX_OPERATOR_TEXT:
            raise RiskCommandRejectedError(
                f"must be 1 to {_MAX_OPERATOR_TEXT} characters", field=name
            )


def resume_trading(
    table_name: str,
    account: str,
    *,
    by: str,
    reason: str,
    client: DynamoDBClient | None = None,
) -> bool:
    """The operator's ``risk resume``: turn the drawdown kill switch off.

    The peak is forgotten with it, so the next run's equity is the new peak: keeping the
    old one would trip the switch again at once unless the account had recovered, and
    resuming is the operator's decision to trade on from here. Conditional (only a
    switch that is on is turned off) and idempotent: a second call changes nothing.

    Args:
        table_name: the stack's TradingStateTable.
        account: whose switch (``account_key``: ``paper``, ``alpaca-paper``, ...).
        by: who resumes (the operator's identity, kept in the record and the log).
        reason: why, in the operator's words.
        client: a DynamoDB client (default: the container's).

    Returns:
        True if this call turned the switch off; False if it was not on.

    Raises:
        RiskCommandRejectedError: ``by`` or ``reason`` is empty or too long.
        TradingStateUnavailableError: DynamoDB failed in a way a retry can fix.
    """
    _checked_operator(by, reason)
    table = TradingStateTable(table_name, client=client)
    resumed = table.resume(account, by=by, reason=reason, at=utc_now())
    if resumed:
        _log.warning("risk_resumed", account=account, by=by, reason=reason)
    else:
        _log.info("risk_resume_not_needed", account=account, by=by, reason="switch is not on")
    return resumed


def reset_peak(
    table_name: str,
    account: str,
    *,
    by: str,
    reason: str,
    client: DynamoDBClient | None = None,
) -> None:
    """Forget the account's peak equity: the next run's equity becomes the peak.

    For a change of capital the drawdown must not count (``paper reset``, a deposit or
    withdrawal); the kill switch is left as it is (only ``risk resume`` turns it off).
    Idempotent.

    Raises:
        RiskCommandRejectedError: ``by`` or ``reason`` is empty or too long.
        TradingStateUnavailableError: DynamoDB failed in a way a retry can fix.
    """
    _checked_operator(by, reason)
    TradingStateTable(table_name, client=client).reset_peak(
        account, by=by, reason=reason, at=utc_now()
    )
    _log.warning("risk_peak_reset", account=account, by=by, reason=reason)
