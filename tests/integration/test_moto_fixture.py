from __future__ import annotations

import json

from tests.integration.conftest import TappedBus
from tests.support.aws import drain


def test_tapped_bus_copies_alchemiser_events_to_its_queue(
    events, sqs, tapped_bus: TappedBus
) -> None:
    events.put_events(
        Entries=[
            {
                "Source": "alchemiser.trading",
                "DetailType": "WorkflowStarted",
                "Detail": json.dumps({"a": 1}),
                "EventBusName": tapped_bus.name,
            }
        ]
    )
    bodies = drain(sqs, tapped_bus.tap_url)
    assert [b["detail-type"] for b in bodies] == ["WorkflowStarted"]
    assert bodies[0]["detail"] == {"a": 1}
