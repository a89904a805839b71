"""Every domain event model, by detail-type: what the wire format can parse.

Which of them EventRoutingFunction handles, and how, is the routing table's
(``alchemiser.routing.table``); this registry only knows the models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alchemiser.events.models import EVENT_MODELS

if TYPE_CHECKING:
    from alchemiser.events.base import BaseEvent

__all__ = ["ALL_EVENTS"]

#: Detail-type (the class name) -> model, for every event this package publishes.
ALL_EVENTS: dict[str, type[BaseEvent]] = {model.__name__: model for model in EVENT_MODELS}
