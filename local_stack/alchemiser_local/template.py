"""template.yaml as CloudFormation: the SAM transform, done locally by aws-sam-translator.

The local stack and the tests read the same translated template that CloudFormation
would deploy, so what they prove holds for the real stack (rules, targets, names).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["CODE_BUCKET", "TemplateError", "load_template", "translate_template"]

#: Where packaged code would live (``sam package``); the transform needs S3 locations.
CODE_BUCKET = "alchemiser-local-artifacts"
_CODE_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


class TemplateError(Exception):
    """Raised when template.yaml is missing, not YAML, or refused by the SAM transform."""


class _NoManagedPolicies:
    """The template names no AWS managed policies, so the transform needs no IAM lookup."""

    def load(self) -> dict[str, str]:
        return {}


def load_template(path: Path) -> dict[str, Any]:
    """The SAM template as data, intrinsic tags as their long forms (``{"Ref": ...}``)."""
    from samtranslator.yaml_helper import yaml_parse  # noqa: PLC0415 - heavy, CLI-only

    try:
        text = path.read_text()
    except OSError as exc:
        raise TemplateError(f"cannot read template {path}: {exc.strerror}") from exc
    try:
        template = yaml_parse(text)
    except Exception as exc:  # yaml's errors carry the line and column
        raise TemplateError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(template, dict) or "Resources" not in template:
        raise TemplateError(f"{path} has no Resources section")
    return template


def _packaged(template: dict[str, Any]) -> dict[str, Any]:
    """Local code paths replaced by S3 locations, as ``sam package`` would do."""
    for logical_id, resource in template["Resources"].items():
        key = _CODE_PROPERTIES.get(resource.get("Type", ""))
        if key and isinstance(resource.get("Properties", {}).get(key), str):
            resource["Properties"][key] = f"s3://{CODE_BUCKET}/{logical_id}.zip"
    return template


@cache
def _translate(
    path: Path, mtime_ns: int, parameters: tuple[tuple[str, str], ...], region: str
) -> dict[str, Any]:
    import boto3  # noqa: PLC0415
    from samtranslator.model.exceptions import InvalidDocumentException  # noqa: PLC0415
    from samtranslator.parser.parser import Parser  # noqa: PLC0415
    from samtranslator.translator.translator import Translator  # noqa: PLC0415

    del mtime_ns  # part of the cache key only
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=region))
    try:
        return translator.translate(  # type: ignore[no-any-return]
            _packaged(load_template(path)),
            parameter_values=dict(parameters),
            get_managed_policy_map=_NoManagedPolicies().load,
        )
    except InvalidDocumentException as exc:
        causes = "; ".join(str(cause) for cause in exc.causes)
        raise TemplateError(f"{path} is not a valid SAM template: {causes}") from exc


def translate_template(
    path: Path, *, parameters: dict[str, str], region: str = "us-east-1"
) -> dict[str, Any]:
    """The CloudFormation template ``sam deploy`` would create for ``parameters``."""
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError as exc:
        raise TemplateError(f"cannot read template {path}: {exc.strerror}") from exc
    return _translate(path, mtime_ns, tuple(sorted(parameters.items())), region)
