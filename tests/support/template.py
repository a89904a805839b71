"""template.yaml as data: tests build their AWS resources from the real definitions."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

from alchemiser_local.template import sub_stage

__all__ = ["ROOT", "TEMPLATE_PATH", "load_template", "resource", "resources_of_type", "sub_stage"]

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"


@cache
def load_template() -> dict[str, Any]:
    """The SAM template with intrinsic tags as plain dicts ({"Ref": ...}, {"Fn::Sub": ...})."""
    return yaml_parse(TEMPLATE_PATH.read_text())  # type: ignore[no-any-return]


def resource(logical_id: str) -> dict[str, Any]:
    """One resource of the template (Type, Properties, ...)."""
    return load_template()["Resources"][logical_id]  # type: ignore[no-any-return]


def resources_of_type(type_name: str) -> dict[str, dict[str, Any]]:
    """Every resource of one CloudFormation/SAM type, by logical id."""
    return {
        logical_id: body
        for logical_id, body in load_template()["Resources"].items()
        if body["Type"] == type_name
    }
