"""Import (and optionally invoke) a handler the way Lambda's Python 3.12 runtime does.

A fresh interpreter, isolated from the venv (``-I -S``: no site-packages, no PYTHON*
variables, no current directory), whose ``sys.path`` holds only the built function
(``/var/task``), the layer (``/opt/python``) and the packages the runtime itself provides
(boto3 and its dependency closure), in that order, ahead of the standard library. ``-B``:
the code mounts in Lambda are read-only, so nothing is written back into the artifacts.
"""

from __future__ import annotations

import importlib.metadata
import json
import marshal
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from tests.support.template import ROOT

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from tests.support.artifacts import BuiltFunction

__all__ = [
    "RUNTIME_DISTRIBUTIONS",
    "HandlerRun",
    "find_python312",
    "lambda_environment",
    "provide_runtime_packages",
    "pyc_origin",
    "run_handler",
    "top_level_names",
]

#: What Lambda's python3.12 runtime ships, so the layer leaves it out (Makefile
#: RUNTIME_PROVIDED): boto3 and its dependency closure.
RUNTIME_DISTRIBUTIONS = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "python-dateutil",
    "six",
    "urllib3",
)
_PYC_HEADER = 16

# Runs in the child: the report goes to a file, so handler logs on stdout cannot corrupt it.
_CHILD = """
import importlib, json, sys, time
paths, module_name, attribute, event, env, report_path = json.loads(sys.argv[1])
sys.path[:0] = paths
report = {"ok": False, "error": None, "import_seconds": None, "invoke_seconds": None,
          "callable": False, "response": None}
class Context:
    function_name = env["AWS_LAMBDA_FUNCTION_NAME"]
    function_version = env["AWS_LAMBDA_FUNCTION_VERSION"]
    invoked_function_arn = ("arn:aws:lambda:us-east-1:123456789012:function:"
                            + function_name + ":live")
    memory_limit_in_mb = env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "2026/01/01/[1]local"
    def get_remaining_time_in_millis(self):
        return 60_000
try:
    start = time.perf_counter()
    module = importlib.import_module(module_name)
    report["import_seconds"] = time.perf_counter() - start
    handler = getattr(module, attribute, None)
    report["callable"] = callable(handler)
    if event is not None:
        start = time.perf_counter()
        report["response"] = handler(event, Context())
        report["invoke_seconds"] = time.perf_counter() - start
    report["ok"] = True
except BaseException as exc:
    report["error"] = type(exc).__name__ + ": " + str(exc)
report["origins"] = {name: getattr(sys.modules.get(name), "__file__", None)
                     for name in ("alchemiser", "boto3", "pydantic")}
with open(report_path, "w") as out:
    json.dump(report, out, default=str)
"""


@dataclass(frozen=True)
class HandlerRun:
    """What happened in the child interpreter."""

    ok: bool
    error: str | None
    import_seconds: float | None
    invoke_seconds: float | None
    callable: bool
    response: Any
    origins: dict[str, str | None]
    stderr: str


def find_python312() -> str:
    """Lambda's Python version, found the way the Makefile finds it."""
    result = subprocess.run(
        [str(ROOT / "scripts/find-python312")], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def top_level_names(distribution: str) -> list[str]:
    """The importable names and metadata dirs a distribution installs (from its RECORD)."""
    files = importlib.metadata.distribution(distribution).files or []
    return sorted(
        {PurePath(str(f)).parts[0] for f in files} - {"..", "__pycache__", "bin"},
    )


def provide_runtime_packages(dest: Path, python: str) -> Path:
    """Copy boto3's closure from the venv into ``dest``, byte-compiled as the runtime ships it.

    Copies, not symlinks: compiling must not write into the venv, and an uncompiled boto3
    would make the runtime's own imports look slower than they are in Lambda.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for distribution in RUNTIME_DISTRIBUTIONS:
        dist = importlib.metadata.distribution(distribution)
        for name in top_level_names(distribution):
            source = Path(str(dist.locate_file(name)))
            if source.is_dir():
                shutil.copytree(source, dest / name, dirs_exist_ok=True)
            else:
                shutil.copy2(source, dest / name)
    subprocess.run([python, "-m", "compileall", "-q", "-j", "0", str(dest)], check=True)
    return dest


def lambda_environment(function: BuiltFunction) -> dict[str, str]:
    """The function's template environment plus the variables Lambda itself sets.

    No AWS credentials and no instance metadata: the import and the health probe make no
    AWS call, and if one did it would fail at once instead of reaching anything.
    """
    name = function.name
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "LAMBDA_TASK_ROOT": str(function.code_dir),
        **function.environment,
    }


def run_handler(
    python: str,
    sys_path: Sequence[Path],
    handler: str,
    *,
    env: Mapping[str, str],
    event: object = None,
    timeout: float = 120,
) -> HandlerRun:
    """Import ``handler`` (``module.attribute``) in a fresh isolated interpreter.

    With ``event``, also call it once with that event and a Lambda-like context.
    """
    module, _, attribute = handler.rpartition(".")
    with tempfile.TemporaryDirectory(prefix="lambda-child-") as scratch:
        report_path = Path(scratch) / "report.json"
        argument = json.dumps(
            [[str(p) for p in sys_path], module, attribute, event, dict(env), str(report_path)]
        )
        result = subprocess.run(
            [python, "-I", "-S", "-B", "-c", _CHILD, argument],
            env=dict(env),
            cwd=scratch,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if not report_path.exists():
            raise RuntimeError(f"the child interpreter died:\n{result.stderr[-4000:]}")
        report = json.loads(report_path.read_text())
    return HandlerRun(**report, stderr=result.stderr)


def pyc_origin(pyc: Path) -> tuple[int, str]:
    """A ``.pyc``'s invalidation flags and the source path compiled into its code object.

    The path is what tracebacks show; the flags say whether Python re-checks the source
    at import (0b01 = unchecked hash: never re-checked, nothing compiled at cold start).
    """
    data = pyc.read_bytes()
    flags = int.from_bytes(data[4:8], "little")
    code = marshal.loads(data[_PYC_HEADER:])
    return flags, code.co_filename
