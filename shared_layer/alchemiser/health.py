"""The side-effect-free health probe every function answers (used by deploy verification).

The probe is exactly ``{"mode": "health"}``. It reports the commit each artifact was
built from (``build_info.json``, written by ``sam build``, never an environment
variable), so a deploy that left old code running is caught, and whether the layer's
imports and the function's configuration are sound. It makes no AWS calls.

``judge`` is the one reading of an answer: the deploy's pre-traffic hook (before the
``live`` alias moves) and ``alchemiser verify-deploy`` (after it has) both use it.
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

__all__ = [
    "HEALTH_PROBE",
    "PROBE_PAYLOAD",
    "HealthProbe",
    "HealthReport",
    "ProbeAnswer",
    "build_commit",
    "check_health",
    "is_health_probe",
    "judge",
]

HEALTH_PROBE = {"mode": "health"}
#: The probe as an Invoke payload.
PROBE_PAYLOAD = b'{"mode": "health"}'

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


def build_commit(function_dir: Path | None) -> str:
    """The commit the function's artifact in ``function_dir`` was built from."""
    return _commit(function_dir / "build_info.json" if function_dir else None)


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
        function_commit=build_commit(function_dir),
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


@dataclass(frozen=True, slots=True)
class ProbeAnswer:
    """One synchronous invoke of the probe: Lambda's ``FunctionError`` (if any), the payload."""

    function_error: str | None
    payload: bytes


def _parse(payload: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(payload)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def judge(function: str, answer: ProbeAnswer, expected_commit: str) -> list[str]:
    """Every reason ``function``'s answer fails a deploy of ``expected_commit`` (none: ok)."""
    report = _parse(answer.payload)
    if answer.function_error:
        detail = report or {}
        kind = detail.get("errorType", answer.function_error)
        message = detail.get("errorMessage", answer.payload.decode(errors="replace"))
        return [f"{function}: invocation failed: {kind}: {message}"]
    if report is None:
        return [f"{function}: health answer is not a JSON object: {answer.payload[:200]!r}"]
    problems = []
    if report.get("status") != "ok":
        details = "; ".join(report.get("problems") or ()) or "no details"
        problems.append(
            f"{function}: status {report.get('status')!r} (imports_ok={report.get('imports_ok')},"
            f" config_ok={report.get('config_ok')}): {details}"
        )
    for key in ("function_commit", "layer_commit"):
        if report.get(key) != expected_commit:
            problems.append(f"{function}: {key} is {report.get(key)!r}, expected {expected_commit}")
    return problems
