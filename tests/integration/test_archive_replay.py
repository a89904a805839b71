"""An archive replay on the moto server: the bus's archive is found and the day replayed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from alchemiser.clock import new_york_date
from alchemiser_local.ops.common import OpsError
from alchemiser_local.ops.replay import find_archive, start_replay, wait_for_replay
from alchemiser_local.target import Target
from tests.integration.conftest import REGION
from tests.support.aws import drain
from tests.support.samples import load
from tests.support.template import resource


def target_for(events, bus_name: str) -> Target:
    return Target(
        stage="dev",
        stack_name="alchemiser-dev",
        session=boto3.Session(region_name=REGION),
        endpoint_url=None,
        outputs={"EventBusArn": events.describe_event_bus(Name=bus_name)["Arn"]},
    )


def test_a_day_of_archived_events_goes_back_onto_the_bus(events, sqs, tapped_bus, uid) -> None:
    # Given the template's archive of the bus, holding one event
    archive = resource("EventArchive")["Properties"]
    target = target_for(events, tapped_bus.name)
    events.create_archive(
        ArchiveName=f"archive-{uid}",
        EventSourceArn=target.outputs["EventBusArn"],
        EventPattern=json.dumps(archive["EventPattern"]),
        RetentionDays=archive["RetentionDays"],
    )
    envelope = load("events/trade-executed.json")
    events.put_events(
        Entries=[
            {
                "Source": envelope["source"],
                "DetailType": envelope["detail-type"],
                "Detail": json.dumps(envelope["detail"]),
                "EventBusName": tapped_bus.name,
            }
        ]
    )
    drain(sqs, tapped_bus.tap_url)  # what the first delivery left

    # When today is replayed and followed to its end
    now = datetime.now(UTC)
    started = start_replay(target, new_york_date(now), now=now + timedelta(seconds=1))
    states: list[str] = []
    final = wait_for_replay(target, started["replay"], out=states.append, sleep=lambda _: None)

    # Then the archived event was delivered again, marked as a replay
    assert final == "COMPLETED"
    assert states[-1].endswith("COMPLETED")
    (again,) = drain(sqs, tapped_bus.tap_url)
    assert again["detail"]["event_id"] == envelope["detail"]["event_id"]
    assert again["replay-name"] == started["replay"]
    assert find_archive(target).endswith(f"archive/archive-{uid}")


def test_a_bus_without_its_archive_is_named(events, tapped_bus) -> None:
    with pytest.raises(OpsError, match=r"expected one archive of .* found: none"):
        find_archive(target_for(events, tapped_bus.name))
