"""Create resources in the moto server exactly as template.yaml defines them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tests.support.template import resource

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType


def create_table(client: DynamoDBClient, logical_id: str, name: str) -> str:
    """Create the table ``logical_id`` of the template under ``name`` (with its TTL)."""
    props = resource(logical_id)["Properties"]
    client.create_table(
        TableName=name,
        KeySchema=props["KeySchema"],
        AttributeDefinitions=props["AttributeDefinitions"],
        BillingMode=props["BillingMode"],
    )
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )
    return name


def create_queue(client: SQSClient, logical_id: str, name: str, dlq_arn: str | None = None) -> str:
    """Create the queue ``logical_id`` of the template under ``name``; returns its URL."""
    props = resource(logical_id)["Properties"]
    attributes: dict[QueueAttributeNameType, str] = {}
    if "VisibilityTimeout" in props:
        attributes["VisibilityTimeout"] = str(props["VisibilityTimeout"])
    if "MessageRetentionPeriod" in props:
        attributes["MessageRetentionPeriod"] = str(props["MessageRetentionPeriod"])
    if "RedrivePolicy" in props and dlq_arn:
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": dlq_arn,
                "maxReceiveCount": props["RedrivePolicy"]["maxReceiveCount"],
            }
        )
    return client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]


def queue_arn(client: SQSClient, url: str) -> str:
    """The ARN of the queue at ``url``."""
    attrs = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return attrs["Attributes"]["QueueArn"]


def receive_all(client: SQSClient, url: str, *, wait_seconds: int = 0) -> list[str]:
    """Receive and delete everything currently in the queue; returns the raw bodies.

    (PurgeQueue is allowed once a minute; queues shared by a test session need this.)
    """
    bodies: list[str] = []
    while True:
        batch = client.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        ).get("Messages", [])
        if not batch:
            return bodies
        for message in batch:
            bodies.append(message["Body"])
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        wait_seconds = 0


def drain(client: SQSClient, url: str, *, wait_seconds: int = 0) -> list[dict[str, Any]]:
    """Receive and delete everything currently in the queue; returns the JSON bodies."""
    return [json.loads(body) for body in receive_all(client, url, wait_seconds=wait_seconds)]


#: Template logical ids of each environment's task queues, with their DLQs.
TASK_QUEUES = {
    "pnl_reports": ("PnlReportsQueue", "PnlReportsDLQ"),
    "trade_ledger": ("TradeLedgerQueue", "TradeLedgerDLQ"),
}


def provision_task_queues(client: SQSClient, env: str) -> dict[str, str]:
    """Create ``env``'s task queues and DLQs as the template does; URLs by SQS name."""
    urls = {}
    for queue, (logical_id, dlq_logical_id) in TASK_QUEUES.items():
        name = f"alchemiser-{env}_{queue}"
        dlq_url = create_queue(client, dlq_logical_id, f"{name}_dlq")
        urls[f"{name}_dlq"] = dlq_url
        urls[name] = create_queue(client, logical_id, name, dlq_arn=queue_arn(client, dlq_url))
    return urls
