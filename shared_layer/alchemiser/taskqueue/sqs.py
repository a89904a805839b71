"""dramatiq-sqs, adapted to queues that the SAM template owns, and its middleware."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn, override

import dramatiq
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)
from dramatiq_sqs import SQSBroker

from alchemiser.aws import sqs_config, translate_aws_errors
from alchemiser.errors import (
    QueueNotProvisionedError,
    TaskQueueNotBoundError,
    TaskSendError,
    TransientError,
)

if TYPE_CHECKING:
    from mypy_boto3_sqs.service_resource import Queue, SQSServiceResource

__all__ = [
    "MAX_RETRIES",
    "NAMESPACE_PREFIX",
    "VISIBILITY_TIMEOUT_SECONDS",
    "TaskBroker",
    "UnboundBroker",
    "build_middleware",
    "namespace",
]

#: Queues are ``alchemiser-<env>_<queue>`` (dramatiq-sqs names them ``<namespace>_<queue>``).
NAMESPACE_PREFIX = "alchemiser-"
#: The template's VisibilityTimeout of the task queues. dramatiq-sqs asks for 12 h on every
#: receive by default, which would hide a message whose worker died for half a day.
VISIBILITY_TIMEOUT_SECONDS = 300
#: A task is interrupted before its message becomes visible again, so no two workers ever
#: run the same message at once.
TIME_LIMIT_MS = 240_000
MAX_RETRIES = 5
MIN_BACKOFF_MS = 15_000
#: SQS delays a message by at most 15 minutes; dramatiq's default (7 days) cannot be sent.
MAX_BACKOFF_MS = 900_000


def namespace(target_env: str) -> str:
    """The dramatiq-sqs namespace of ``target_env``'s queues."""
    return f"{NAMESPACE_PREFIX}{target_env}"


def _retry_transient(retries: int, exception: BaseException) -> bool:
    """Retry only what a retry can fix; anything else goes straight to the DLQ."""
    return isinstance(exception, TransientError) and retries < MAX_RETRIES


def build_middleware() -> list[dramatiq.Middleware]:
    """Dramatiq's default middleware, tuned for SQS.

    Nothing here starts a thread or opens a connection in a Lambda sender (TimeLimit's
    timer starts on worker boot only). Prometheus and Results are left out on purpose:
    Prometheus serves HTTP from worker processes, Results needs a result store, and a
    sender in Lambda would carry both for nothing.
    """
    return [
        AgeLimit(),
        TimeLimit(time_limit=TIME_LIMIT_MS),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(
            max_retries=MAX_RETRIES,
            min_backoff=MIN_BACKOFF_MS,
            max_backoff=MAX_BACKOFF_MS,
            retry_when=_retry_transient,
        ),
    ]


class TaskBroker(SQSBroker):  # type: ignore[misc]  # dramatiq-sqs ships no types
    """dramatiq-sqs's broker, except that queues are looked up, never created or tagged.

    Queues and their DLQs come from template.yaml (with encryption, redrive policy and
    retention), so a queue created at run time would silently lack all of that, and the
    Lambda roles would need ``sqs:CreateQueue``. A sender looks up only its task queue
    (``sqs:GetQueueUrl``); the DLQ is looked up when a worker consumes, because only the
    worker's role may touch it.

    Built through ``SQSBroker``'s public constructor; the only thing replaced is how a
    queue is found: ``enqueue`` and ``consume`` fill the broker's ``queues`` and
    ``dead_letter_queues`` first, so dramatiq-sqs never reaches its create-or-tag path.
    A sender's DLQ entry is a lazy boto3 ``Queue`` (no API call, never used by a sender);
    a worker looks its DLQ up, so a missing one is reported before the first message.
    Tested with dramatiq-sqs 0.4 (pinned to that range).
    """

    def __init__(self, *, target_env: str, sqs: SQSServiceResource | None = None) -> None:
        super().__init__(
            namespace=namespace(target_env),
            middleware=build_middleware(),
            dead_letter=True,
            visibility_timeout=VISIBILITY_TIMEOUT_SECONDS,
            config=sqs_config(),
        )
        if sqs is not None:
            self.sqs = sqs
        self.target_env = target_env

    def sqs_queue_name(self, queue_name: str) -> str:
        """The SQS name of a dramatiq queue (dramatiq-sqs's convention)."""
        return f"{self.namespace}_{queue_name}"

    def _lookup(self, sqs_queue_name: str) -> Queue:
        try:
            return self.sqs.get_queue_by_name(QueueName=sqs_queue_name)
        except self.sqs.meta.client.exceptions.QueueDoesNotExist as exc:
            raise QueueNotProvisionedError(sqs_queue_name) from exc

    def _look_up_queue(self, queue_name: str) -> None:
        if queue_name not in self.queue_names:
            raise dramatiq.QueueNotFound(queue_name)  # type: ignore[no-untyped-call]
        if queue_name not in self.queues:
            queue = self._lookup(self.sqs_queue_name(queue_name))
            self.queues[queue_name] = queue
            self.dead_letter_queues.setdefault(queue_name, self.sqs.Queue(f"{queue.url}_dlq"))

    @override
    def consume(
        self, queue_name: str, prefetch: int = 1, timeout: int = 20_000
    ) -> dramatiq.Consumer:
        """Consume ``queue_name``; failed messages go to its ``_dlq`` queue."""
        dlq_name = f"{self.sqs_queue_name(queue_name)}_dlq"
        self.dead_letter_queues[queue_name] = self._lookup(dlq_name)
        self._look_up_queue(queue_name)
        consumer: dramatiq.Consumer = super().consume(queue_name, prefetch, timeout)
        return consumer

    @override
    def enqueue(
        self, message: dramatiq.Message[Any], *, delay: int | None = None
    ) -> dramatiq.Message[Any]:
        """Send ``message`` to this environment's queue.

        Raises:
            QueueNotProvisionedError: when the queue does not exist.
            TaskSendError: when SQS did not take the message (retryable).
        """
        queue = self.sqs_queue_name(message.queue_name)
        with translate_aws_errors(
            f"sending {message.actor_name} to {queue}", transient=TaskSendError
        ):
            self._look_up_queue(message.queue_name)
            sent: dramatiq.Message[Any] = super().enqueue(message, delay=delay)
        return sent


class UnboundBroker(dramatiq.Broker):
    """Holds actor declarations until ``ensure_broker`` picks an environment; never sends.

    Dramatiq's ``actor()`` binds to ``get_broker()``, which silently builds a RabbitMQ or
    Redis broker; declaring against this placeholder keeps imports free of that.
    """

    def __init__(self) -> None:
        super().__init__(middleware=build_middleware())
        self.queues: set[str] = set()

    @override
    def declare_queue(self, queue_name: str) -> None:
        self.queues.add(queue_name)

    @override
    def enqueue(self, message: dramatiq.Message[Any], *, delay: int | None = None) -> NoReturn:
        raise TaskQueueNotBoundError(
            f"{message.actor_name} was sent before ensure_broker(target_env) chose its queues"
        )

    @override
    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 30_000) -> NoReturn:
        raise TaskQueueNotBoundError(f"consuming {queue_name} needs ensure_broker(target_env)")

    @override
    def get_declared_queues(self) -> set[str]:
        return set(self.queues)

    @override
    def get_declared_delay_queues(self) -> set[str]:
        return set()
