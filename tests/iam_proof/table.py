"""The proof table: for every role statement, the path that fails without it, or why none can.

``Proof(path, denied)``: with the statement dropped from template.yaml, running ``path``
on the enforced local stack makes the emulator refuse ``denied`` to that role (or, for a
trust statement, refuse ``sts:AssumeRole`` of it). ``NotLocal(reason)``: the statement is
used only by something the local stack cannot do; the reason says what.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROOFS", "UNUSED_BY_DESIGN", "NotLocal", "Proof"]


@dataclass(frozen=True)
class Proof:
    """Dropping the statement makes ``path`` fail on ``denied``."""

    path: str
    denied: str


@dataclass(frozen=True)
class NotLocal:
    """The statement cannot be exercised locally, for ``reason``."""

    reason: str


_XRAY = NotLocal(
    "X-Ray segments are sent by Lambda's X-Ray daemon with the function's role (Tracing: "
    "Active); the local stack runs no daemon and the functions send none themselves"
)
_ASSUMED_BY_LAMBDA = Proof("setup", "sts:AssumeRole")

#: Owner.Sid -> its proof. A test checks the keys are exactly template.yaml's statements.
PROOFS: dict[str, Proof | NotLocal] = {
    # --- TradingSystemFunction's role ---
    "TradingSystemRole.LambdaRunsTheFunction": _ASSUMED_BY_LAMBDA,
    "TradingSystemRole.WriteOwnLogs": Proof("refresh", "logs:CreateLogStream"),
    "TradingSystemRole.WriteTraces": _XRAY,
    "TradingSystemRole.PublishWorkflowEvents": Proof("workflow", "events:PutEvents"),
    "TradingSystemRole.IdempotencyRecords": Proof("refresh", "dynamodb:PutItem"),
    "TradingSystemRole.SendPnlTasks": Proof("pnl", "sqs:GetQueueUrl"),
    "TradingSystemRole.AsyncFailureDestination": Proof("failed-refresh", "sqs:SendMessage"),
    "TradingSystemRole.RefreshDailyBars": Proof("refresh", "s3:GetObject"),
    "TradingSystemRole.TellMissingBarsFromForbidden": Proof("refresh", "s3:ListBucket"),
    "TradingSystemRole.ReadAlpacaKeys": Proof("refresh", "secretsmanager:GetSecretValue"),
    # --- EventRoutingFunction's role ---
    "EventRoutingRole.LambdaRunsTheFunction": _ASSUMED_BY_LAMBDA,
    "EventRoutingRole.WriteOwnLogs": Proof("workflow", "logs:CreateLogStream"),
    "EventRoutingRole.WriteTraces": _XRAY,
    "EventRoutingRole.PublishWorkflowEvents": Proof("workflow", "events:PutEvents"),
    "EventRoutingRole.IdempotencyRecords": Proof("workflow", "dynamodb:PutItem"),
    "EventRoutingRole.PaperBrokerState": Proof("workflow", "dynamodb:Query"),
    "EventRoutingRole.TradingState": Proof("workflow", "dynamodb:UpdateItem"),
    "EventRoutingRole.ReadDailyBars": Proof("workflow", "s3:GetObject"),
    "EventRoutingRole.TellMissingBarsFromForbidden": Proof("missing-bars", "s3:ListBucket"),
    "EventRoutingRole.SendLedgerTasks": Proof("workflow", "sqs:GetQueueUrl"),
    "EventRoutingRole.AsyncFailureDestination": Proof("failed-execution", "sqs:SendMessage"),
    "EventRoutingRole.ReadAlpacaKeys": Proof("alpaca-workflow", "secretsmanager:GetSecretValue"),
    # --- the pre-traffic hook's role ---
    "DeployHookRole.LambdaRunsTheFunction": _ASSUMED_BY_LAMBDA,
    "DeployHookRole.WriteOwnLogs": Proof("deploy-hook", "logs:CreateLogStream"),
    "DeployHookRole.WriteTraces": _XRAY,
    "DeployHookRole.ProbeNewVersions": Proof("deploy-hook", "lambda:InvokeFunction"),
    "DeployHookRole.ReportVerdict": NotLocal(
        "CodeDeploy is set aside locally (no application, deployment group or deployment, "
        "which is the resource this is granted on); the local endpoint answers "
        "PutLifecycleEventHookExecutionStatus itself and records the verdict"
    ),
    # --- the schedules' role ---
    "SchedulerRole.SchedulerOfThisAccount": Proof("setup", "sts:AssumeRole"),
    "SchedulerRole.InvokeTradingSystem": Proof("refresh", "lambda:InvokeFunction"),
    "SchedulerRole.UndeliveredToDLQ": NotLocal(
        "Scheduler writes to its DLQ only after its invocation of the target failed every "
        "retry; locally the invocation either is allowed or, without InvokeTradingSystem, "
        "refused before any delivery: no path reaches the DLQ with this statement alone gone"
    ),
    # --- the task worker ---
    "TaskWorkerRole.PrincipalsOfTheAccount": Proof("setup", "sts:AssumeRole"),
    "TaskWorkerPolicy.ConsumeTaskQueues": Proof("tasks", "sqs:GetQueueUrl"),
    "TaskWorkerPolicy.LedgerRecords": Proof("tasks", "dynamodb:PutItem"),
    # --- the operators ---
    "OperatorRole.PrincipalsOfTheAccount": Proof("setup", "sts:AssumeRole"),
    "OperatorPolicy.ReadTheStack": Proof("operator", "cloudformation:DescribeStacks"),
    "OperatorPolicy.ReadSchedules": Proof("operator", "scheduler:GetSchedule"),
    "OperatorPolicy.InvokeFunctions": Proof("operator", "lambda:InvokeFunction"),
    "OperatorPolicy.ImportBars": Proof("operator", "s3:GetObject"),
    "OperatorPolicy.TellMissingBarsFromForbidden": Proof("operator", "s3:ListBucket"),
    "OperatorPolicy.ResetPaperAccount": Proof("operator", "dynamodb:Query"),
    "OperatorPolicy.ResetRiskState": Proof("operator", "dynamodb:UpdateItem"),
    "OperatorPolicy.ReadFunctionLogs": Proof("operator", "logs:FilterLogEvents"),
    "OperatorPolicy.ReadAndDrainFailureQueues": Proof("operator", "sqs:GetQueueAttributes"),
    "OperatorPolicy.RequeueTasks": Proof("operator", "sqs:SendMessage"),
    "OperatorPolicy.RepublishEvents": Proof("operator", "events:PutEvents"),
    "OperatorPolicy.FindTheArchive": Proof("operator", "events:ListArchives"),
    "OperatorPolicy.ReplayTheArchive": Proof("operator", "events:DescribeArchive"),
    "OperatorPolicy.FollowReplays": Proof("operator", "events:DescribeReplay"),
}

_POWERTOOLS_READ = (
    "Powertools' idempotency reads an existing record with GetItem only when a refused "
    "conditional PutItem does not carry it (ReturnValuesOnConditionCheckFailure): the "
    "emulator, as DynamoDB, always returns it; Powertools documents GetItem as required"
)

#: (Owner.Sid, action) -> why a granted action no path used stays granted.
UNUSED_BY_DESIGN: dict[tuple[str, str], str] = {
    ("TradingSystemRole.IdempotencyRecords", "dynamodb:GetItem"): _POWERTOOLS_READ,
    ("EventRoutingRole.IdempotencyRecords", "dynamodb:GetItem"): _POWERTOOLS_READ,
    ("TaskWorkerPolicy.ConsumeTaskQueues", "sqs:ChangeMessageVisibility"): (
        "dramatiq-sqs makes the messages a stopping worker prefetched but did not start "
        "visible again at once (ChangeMessageVisibilityBatch); without it they wait out "
        "the 300 s visibility timeout: a worker stopped mid-batch, which no path times"
    ),
}
