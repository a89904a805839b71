"""The side-effect-free health probe both functions answer (used by deploy verification).

The probe is exactly ``{"mode": "health"}``. It reports the commit each artifact was
built from (``build_info.json``, written by ``sam build``, never an environment
variable), so a deploy that left old code running is caught, and whether the layer's
imports and the function's configuration are sound. It makes no AWS calls.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from alchemiser.config import get_settings
from alchemiser.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from alchemiser.config import CommonSettings

__all__ = ["HEALTH_PROBE", "HealthProbe", "HealthReport", "check_health", "is_health_probe"]

HEALTH_PROBE = {"mode": "health"}
_LAYER_BUILD_INFO = Path(__file__).with_name("build_info.json")
UNBUILT = "unbuilt"


class HealthReport(BaseModel):
    """What an operator (or the deploy job) learns from one probe."""

    model_config = ConfigDict(frozen=True)

    status: Literal["ok", "degraded"]
    mode: Literal["health"] = "health"
    function: str
    function_version: str | None
    stage: str | None
    function_commit: str
    layer_commit: str
    imports_ok: bool
    config_ok: bool
    problems: tuple[str, ...] = ()


def is_health_probe(payload: object) -> bool:
    """True only for the exact probe, so no other payload is ever mistaken for it."""
    return payload == HEALTH_PROBE


def _commit(build_info: Path | None) -> str:
    if build_info is None:
        return UNBUILT
    try:
        return str(json.loads(build_info.read_text())["commit"])
    except FileNotFoundError:
        return UNBUILT  # running from the repository, not a sam build artifact
    except (ValueError, KeyError) as exc:
        return f"unreadable: {exc}"


def _failed_imports(modules: Sequence[str]) -> list[str]:
    problems = []
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            problems.append(f"import {module}: {exc}")
    return problems


def check_health(
    *,
    settings_class: type[CommonSettings],
    function_dir: Path | None,
    function_version: str | None,
    modules: Sequence[str],
) -> HealthReport:
    """Probe this container: build commits, lazy imports of ``modules``, settings.

    ``modules`` are what the function imports on first real use, so a layer that lacks
    one is caught by the deploy verification, not by the first scheduled run.
    """
    problems = _failed_imports(modules)
    imports_ok = not problems
    stage: str | None = None
    function = "unknown"
    try:
        settings = get_settings(settings_class)
        stage, function = settings.stage, settings.function_name
    except (ConfigError, ValidationError) as exc:
        problems.append(str(exc))
    config_ok = stage is not None
    return HealthReport(
        status="ok" if imports_ok and config_ok else "degraded",
        function=function,
        function_version=function_version,
        stage=stage,
        function_commit=_commit(function_dir / "build_info.json" if function_dir else None),
        layer_commit=_commit(_LAYER_BUILD_INFO),
        imports_ok=imports_ok,
        config_ok=config_ok,
        problems=tuple(problems),
    )


@dataclass(frozen=True, slots=True)
class HealthProbe:
    """One function's probe: its settings and the modules its real work imports."""

    settings_class: type[CommonSettings]
    modules: tuple[str, ...]

    def __call__(self, function_dir: Path | None, context: object) -> dict[str, Any]:
        """The JSON answer (``function_dir``: where ``sam build`` wrote build_info.json)."""
        report = check_health(
            settings_class=self.settings_class,
            function_dir=function_dir,
            function_version=getattr(context, "function_version", None),
            modules=self.modules,
        )
        return report.model_dump(mode="json")
