"""`sam build` output as Lambda sees it: each function's handler, code, layers, environment.

Shared by the artifact tests and the size / cold-start benchmarks, so all of them look at
the same thing: what `sam build` actually produced from template.yaml, not the repository.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samtranslator.yaml_helper import yaml_parse

from tests.support.template import ROOT, TEMPLATE_PATH

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "VENV_BIN",
    "BuiltFunction",
    "built_functions",
    "sam_build",
]

#: The venv's bin: `sam`, and the `python3.12` (with pip) the artifact Makefiles run.
VENV_BIN = Path(sys.prefix) / "bin"
_PSEUDO = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
_SUB_VAR = re.compile(r"\$\{([^}!]+)\}")


class _NoValue:
    """``AWS::NoValue``: the property (here: the environment variable) is left out."""


_NO_VALUE = _NoValue()


def sam_build(build_dir: Path) -> Path:
    """Run `sam build` (samconfig.toml's defaults: no cache) into ``build_dir``.

    Raises:
        RuntimeError: with sam's output when the build fails.
    """
    env = {
        **os.environ,
        "SAM_CLI_TELEMETRY": "0",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    command = [str(VENV_BIN / "sam"), "build", "--build-dir", str(build_dir)]
    command += ["--template-file", str(TEMPLATE_PATH)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"sam build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    return build_dir


@dataclass(frozen=True)
class BuiltFunction:
    """One function of the built template, with paths into the build directory."""

    logical_id: str
    name: str
    handler: str
    runtime: str
    memory_mb: int
    code_dir: Path
    layer_dirs: tuple[Path, ...]
    environment: dict[str, str] = field(hash=False)

    @property
    def module(self) -> str:
        """The module Lambda imports (``trading_handler`` of ``trading_handler.lambda_handler``)."""
        return self.handler.rpartition(".")[0]

    @property
    def attribute(self) -> str:
        """The callable Lambda looks up in :attr:`module`."""
        return self.handler.rpartition(".")[2]

    def sys_path(self, runtime_dir: Path) -> list[Path]:
        """Lambda's import path: /var/task, then each layer's /opt/python dirs, then the runtime."""
        layer_paths = [
            path
            for layer in self.layer_dirs
            for path in (layer / "python/lib/python3.12/site-packages", layer / "python")
            if path.is_dir()
        ]
        return [self.code_dir, *layer_paths, runtime_dir]


def built_functions(build_dir: Path, *, stage: str = "dev") -> list[BuiltFunction]:
    """Every ``AWS::Serverless::Function`` of the built template, Globals applied."""
    template = yaml_parse((build_dir / "template.yaml").read_text())
    globals_ = template.get("Globals", {}).get("Function", {})
    resolver = _Resolver(template, stage)
    functions = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        layers = [*globals_.get("Layers", []), *props.get("Layers", [])]
        variables = {
            **globals_.get("Environment", {}).get("Variables", {}),
            **props.get("Environment", {}).get("Variables", {}),
        }
        functions.append(
            BuiltFunction(
                logical_id=logical_id,
                name=str(resolver.value(props.get("FunctionName", logical_id))),
                handler=props.get("Handler", globals_.get("Handler")),
                runtime=props.get("Runtime", globals_.get("Runtime")),
                memory_mb=int(props.get("MemorySize", globals_.get("MemorySize", 128))),
                code_dir=build_dir / props["CodeUri"],
                layer_dirs=tuple(build_dir / _layer_uri(template, layer) for layer in layers),
                environment=resolver.environment(variables),
            )
        )
    return functions


def _layer_uri(template: dict[str, Any], layer: Any) -> str:
    if not (isinstance(layer, dict) and "Ref" in layer):
        raise ValueError(f"only layers of this template can be imported locally: {layer!r}")
    return str(template["Resources"][layer["Ref"]]["Properties"]["ContentUri"])


class _Resolver:
    """The intrinsic functions environment variables use, with placeholder resource names.

    Parameters take their defaults (``Stage`` as given); a resource's ``Ref``/``GetAtt``
    becomes ``placeholder-<LogicalId>[-<Attribute>]``: no AWS call happens at import or
    on the health probe, so only the names' presence matters.
    """

    def __init__(self, template: dict[str, Any], stage: str) -> None:
        self._template = template
        self._parameters = {
            name: str(spec.get("Default", ""))
            for name, spec in template.get("Parameters", {}).items()
        }
        self._parameters["Stage"] = stage

    def environment(self, variables: dict[str, Any]) -> dict[str, str]:
        resolved = {name: self.value(value) for name, value in variables.items()}
        return {name: _as_env(value) for name, value in resolved.items() if value is not _NO_VALUE}

    def value(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        ((function, argument),) = node.items()
        handlers: dict[str, Callable[[Any], object]] = {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::If": self._if,
            "Fn::Join": self._join,
        }
        if function not in handlers:
            raise ValueError(f"unsupported intrinsic function {function}")
        return handlers[function](argument)

    def condition(self, node: Any) -> bool:
        if isinstance(node, str):
            return self.condition(self._template["Conditions"][node])
        ((function, argument),) = node.items()
        if function == "Fn::Equals":
            left, right = (str(self.value(part)) for part in argument)
            return left == right
        if function == "Fn::Not":
            return not self.condition(argument[0])
        if function == "Fn::And":
            return all(self.condition(part) for part in argument)
        if function == "Fn::Or":
            return any(self.condition(part) for part in argument)
        if function == "Condition":
            return self.condition(argument)
        raise ValueError(f"unsupported condition function {function}")

    def _ref(self, name: str) -> object:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in _PSEUDO:
            return _PSEUDO[name]
        if name in self._parameters:
            return self._parameters[name]
        return f"placeholder-{name}"

    def _get_att(self, argument: Any) -> str:
        logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
        return f"placeholder-{logical_id}-{attribute}"

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.value(variables[name]))
            if "." in name:
                return self._get_att(name)
            return str(self._ref(name))

        return _SUB_VAR.sub(replace, text)

    def _if(self, argument: list[Any]) -> object:
        condition, when_true, when_false = argument
        return self.value(when_true if self.condition(condition) else when_false)

    def _join(self, argument: list[Any]) -> str:
        separator, parts = argument
        return str(separator).join(str(self.value(part)) for part in parts)


def _as_env(value: object) -> str:
    """CloudFormation turns every environment value into a string (YAML true -> "true")."""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
