"""template.yaml as CloudFormation: the SAM transform, done locally by aws-sam-translator.

The local stack and the tests read the same translated template that CloudFormation
would deploy, so what they prove holds for the real stack (rules, targets, names).
"""

from __future__ import annotations

import copy
import logging
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "CODE_BUCKET",
    "CODE_PROPERTIES",
    "TemplateError",
    "load_template",
    "sub_stage",
    "translate_template",
]

#: Where packaged code would live (``sam package``); the transform needs S3 locations.
CODE_BUCKET = "alchemiser-local-artifacts"
#: The property of each SAM resource type that names a local code directory.
CODE_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


class TemplateError(Exception):
    """Raised when template.yaml is missing, not YAML, or refused by the SAM transform."""


class _NoManagedPolicies:
    """The template names no AWS managed policies, so the transform needs no IAM lookup."""

    def load(self) -> dict[str, str]:
        return {}


def sub_stage(value: Any, stage: str) -> str:  # noqa: ANN401 - a template node
    """A ``!Sub`` name that uses only ``${Stage}``, resolved for ``stage``.

    For what exists only in the template: names the emulator must be given before it
    creates anything, and resources it never creates. A created resource's name comes
    from the stack (its physical id), never from this.

    Raises:
        TemplateError: ``value`` is neither a string nor a plain ``!Sub`` of one.
    """
    if isinstance(value, dict) and "Fn::Sub" in value:
        value = value["Fn::Sub"]
    if not isinstance(value, str):
        raise TemplateError(f"not a plain !Sub string: {value!r}")
    return value.replace("${Stage}", stage)


@cache
def _parsed(path: Path, mtime_ns: int) -> dict[str, Any]:
    """template.yaml parsed once per version of the file.

    samtranslator's own constructor for the intrinsic tags, on PyYAML's C loader: the
    same data as ``samtranslator.yaml_helper.yaml_parse`` (a unit test compares them) in
    a seventh of the time (13 ms instead of 90 ms for this template).
    """
    import yaml  # noqa: PLC0415 - heavy, CLI-only
    from samtranslator.yaml_helper import intrinsics_multi_constructor  # noqa: PLC0415

    class _Loader(yaml.CSafeLoader):
        pass

    _Loader.add_multi_constructor("!", intrinsics_multi_constructor)
    del mtime_ns  # part of the cache key only
    try:
        text = path.read_text()
    except OSError as exc:
        raise TemplateError(f"cannot read template {path}: {exc.strerror}") from exc
    try:
        template = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:  # its message carries the line and column
        raise TemplateError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(template, dict) or "Resources" not in template:
        raise TemplateError(f"{path} has no Resources section")
    return template


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError as exc:
        raise TemplateError(f"cannot read template {path}: {exc.strerror}") from exc


def load_template(path: Path) -> dict[str, Any]:
    """The SAM template as data, intrinsic tags as their long forms (``{"Ref": ...}``).

    A copy of what was parsed: the caller may change it.
    """
    return copy.deepcopy(_parsed(path, _mtime_ns(path)))


def _packaged(template: dict[str, Any]) -> dict[str, Any]:
    """Local code paths replaced by S3 locations, as ``sam package`` would do."""
    for logical_id, resource in template["Resources"].items():
        key = CODE_PROPERTIES.get(resource.get("Type", ""))
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

    # Without CloudFormation's feature toggle config the transform warns, for each function
    # with a DeploymentPreference, that it uses the defaults; the template sets no
    # condition those toggles are about.
    logging.getLogger("samtranslator.feature_toggle.feature_toggle").setLevel(logging.ERROR)
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=region))
    try:
        return translator.translate(  # type: ignore[no-any-return]
            _packaged(copy.deepcopy(_parsed(path, mtime_ns))),
            parameter_values=dict(parameters),
            get_managed_policy_map=_NoManagedPolicies().load,
        )
    except InvalidDocumentException as exc:
        causes = "; ".join(str(cause) for cause in exc.causes)
        raise TemplateError(f"{path} is not a valid SAM template: {causes}") from exc


def translate_template(
    path: Path, *, parameters: dict[str, str], region: str = "us-east-1"
) -> dict[str, Any]:
    """The CloudFormation template ``sam deploy`` would create for ``parameters``.

    Shared between callers of one process: treat it as read-only.
    """
    return _translate(path, _mtime_ns(path), tuple(sorted(parameters.items())), region)
