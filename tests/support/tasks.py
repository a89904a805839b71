"""The allow-list a test process sends tasks under (its ALLOWED_TARGET_ENVIRONMENTS)."""

from __future__ import annotations

from alchemiser.config import TaskQueueSettings, get_settings


def allowed_environments() -> tuple[str, ...]:
    """What a function of this process would pass to ``ensure_broker`` and ``enqueue_*``."""
    return get_settings(TaskQueueSettings).allowed_target_environments
