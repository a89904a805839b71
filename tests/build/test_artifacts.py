"""The artifacts `sam build` produces import the way Lambda imports them, reproducibly.

A handler that imports in the repository but not in Lambda (``Runtime.ImportModuleError:
No module named ...``) must fail here, never in a deploy. So: build with sam, then import
every ``Handler:`` of the template in a fresh Python 3.12 whose ``sys.path`` holds only
the built function, the built layer and what the Lambda runtime provides.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from alchemiser.health import HEALTH_PROBE
from tests.support.artifacts import BuiltFunction, built_functions, sam_build
from tests.support.lambda_runtime import (
    RUNTIME_DISTRIBUTIONS,
    find_python312,
    lambda_environment,
    provide_runtime_packages,
    pyc_origin,
    run_handler,
    top_level_names,
)
from tests.support.template import ROOT, resources_of_type

pytestmark = pytest.mark.slow

FUNCTIONS = sorted(resources_of_type("AWS::Serverless::Function"))
LAYERS = sorted(resources_of_type("AWS::Serverless::LayerVersion"))
UNCHECKED_HASH_PYC = 0b01
CONCURRENT_EDITS = "sources or HEAD changed while building (concurrent edits): not comparable"


@dataclass(frozen=True)
class Builds:
    """Two clean builds of the same tree, and a Lambda-like Python to import them with."""

    first: Path
    second: Path
    commit_before: str
    python: str
    runtime: Path
    #: Whether the sources changed while building (someone editing the working tree).
    tree_changed: bool

    def function(self, logical_id: str) -> BuiltFunction:
        return next(f for f in built_functions(self.first) if f.logical_id == logical_id)


def _head() -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _digests(directory: Path, *, skip_bytecode: bool = False) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not (skip_bytecode and "__pycache__" in path.parts)
    }


def _sources() -> dict[str, dict[str, str]]:
    """Digests of everything the builds read: each CodeUri/ContentUri and scripts/."""
    uris = [
        body["Properties"].get("CodeUri") or body["Properties"]["ContentUri"]
        for body in {
            **resources_of_type("AWS::Serverless::Function"),
            **resources_of_type("AWS::Serverless::LayerVersion"),
        }.values()
    ]
    return {uri: _digests(ROOT / uri, skip_bytecode=True) for uri in [*uris, "scripts"]}


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    root = tmp_path_factory.mktemp("artifacts")
    commit_before = _head()
    sources_before = _sources()
    python = find_python312()
    first = sam_build(root / "first")
    second = sam_build(root / "second")
    return Builds(
        first=first,
        second=second,
        commit_before=commit_before,
        python=python,
        runtime=provide_runtime_packages(root / "runtime", python),
        tree_changed=_sources() != sources_before or _head() != commit_before,
    )


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_handler_imports_with_only_lambda_paths(builds: Builds, logical_id: str) -> None:
    # Given the built function, its layer and the runtime's boto3 (nothing else)
    function = builds.function(logical_id)
    layer_python = [str(layer / "python") for layer in function.layer_dirs]

    # When Lambda's Python imports the template's Handler
    run = run_handler(
        builds.python,
        function.sys_path(builds.runtime),
        function.handler,
        env=lambda_environment(function),
    )

    # Then it imports, the handler is callable, and alchemiser comes from the layer
    assert run.ok, f"{function.handler}: {run.error}\n{run.stderr}"
    assert run.callable, f"{function.handler} is not callable"
    alchemiser = run.origins["alchemiser"]
    assert alchemiser is None or alchemiser.startswith(tuple(layer_python)), alchemiser


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_health_probe_is_ok_in_lambda_python(builds: Builds, logical_id: str) -> None:
    # Given the built function with its template environment (placeholder resource names)
    function = builds.function(logical_id)

    # When Lambda's Python imports it and answers the probe the deploy verification sends
    run = run_handler(
        builds.python,
        function.sys_path(builds.runtime),
        function.handler,
        env=lambda_environment(function),
        event=HEALTH_PROBE,
    )

    # Then it is healthy: its lazy imports resolve in the layer, its settings load from
    # the template's variables, and both artifacts report the commit they were built from
    assert run.ok, f"{function.handler}: {run.error}\n{run.stderr}"
    report = run.response
    assert (report["status"], report["problems"]) == ("ok", []), report
    built = json.loads((function.code_dir / "build_info.json").read_text())["commit"]
    assert (report["function_commit"], report["layer_commit"]) == (built, built)


def test_import_check_fails_for_a_handler_importing_a_repo_only_module(
    builds: Builds, tmp_path: Path
) -> None:
    # Given a handler importing a package that exists in the repository but is not shipped
    # (it imports fine in the test process)
    __import__("alchemiser_local")
    function_dir = tmp_path / "BrokenFunction"
    function_dir.mkdir()
    (function_dir / "broken_handler.py").write_text(
        "import alchemiser_local\n\ndef lambda_handler(event, context):\n    return {}\n"
    )
    layer = builds.function(FUNCTIONS[0])

    # When the same Lambda-like import runs with that function as /var/task
    run = run_handler(
        builds.python,
        [function_dir, *layer.sys_path(builds.runtime)[1:]],
        "broken_handler.lambda_handler",
        env=lambda_environment(layer),
    )

    # Then it fails exactly as Lambda would
    assert not run.ok
    assert run.error == "ModuleNotFoundError: No module named 'alchemiser_local'"


_ZONE_AND_CALENDAR_PROBE = """
import zoneinfo
from datetime import UTC, date, datetime


def lambda_handler(event, context):
    zoneinfo.reset_tzpath(to=[])  # as in a Lambda image without /usr/share/zoneinfo
    zoneinfo.ZoneInfo.clear_cache()
    import tzdata
    from alchemiser.clock import to_new_york
    from alchemiser.trading import is_trading_day

    winter = to_new_york(datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    return {
        "tzdata": tzdata.__file__,
        "offset_hours": winter.utcoffset().total_seconds() / 3600,
        "zone": winter.tzname(),
        "open_on_2025_01_09": is_trading_day(date(2025, 1, 9)),
    }
"""


def test_layer_carries_the_time_zone_database_and_the_nyse_calendar(
    builds: Builds, tmp_path: Path
) -> None:
    # Given a function that reads New York time with no system time zone database
    # (Lambda's image may have none) and asks the calendar about a one-off closure
    function_dir = tmp_path / "ZoneProbeFunction"
    function_dir.mkdir()
    (function_dir / "zone_probe.py").write_text(_ZONE_AND_CALENDAR_PROBE)
    layer = builds.function(FUNCTIONS[0])
    layer_python = [str(d / "python") for d in layer.layer_dirs]

    # When Lambda's Python runs it with the built layer
    run = run_handler(
        builds.python,
        [function_dir, *layer.sys_path(builds.runtime)[1:]],
        "zone_probe.lambda_handler",
        env=lambda_environment(layer),
        event={},
    )

    # Then zoneinfo found America/New_York in the layer's tzdata, and the calendar knows
    # the 2025-01-09 closure from the table the layer ships
    assert run.ok, f"{run.error}\n{run.stderr}"
    answer = run.response
    assert answer["tzdata"].startswith(tuple(layer_python)), answer
    assert (answer["offset_hours"], answer["zone"]) == (-5, "EST")
    assert answer["open_on_2025_01_09"] is False


@pytest.mark.parametrize(
    ("resource", "mount"),
    [*((f, "/var/task") for f in FUNCTIONS), *((layer, "/opt") for layer in LAYERS)],
)
def test_bytecode_is_precompiled_for_lambda_mount_paths(
    builds: Builds, resource: str, mount: str
) -> None:
    # Given one built artifact (mounted at /var/task or /opt in Lambda)
    root = builds.first / resource
    sources = sorted(root.rglob("*.py"))
    assert sources, f"no Python source in {root}"

    for source in sources:
        # When its bytecode is read
        pyc = source.parent / "__pycache__" / f"{source.stem}.cpython-312.pyc"
        assert pyc.is_file(), f"not byte-compiled: {source.relative_to(root)}"
        flags, filename = pyc_origin(pyc)

        # Then it names the Lambda path and is never re-checked against the source
        assert filename == f"{mount}/{source.relative_to(root)}"
        assert flags == UNCHECKED_HASH_PYC, f"{pyc.relative_to(root)}: flags {flags:#b}"


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_leaves_out_what_the_runtime_provides(builds: Builds, layer: str) -> None:
    # Given the built layer's /opt/python
    site = builds.first / layer / "python"

    # When looking for boto3 and its dependency closure (their packages and metadata)
    shipped = {
        name
        for distribution in RUNTIME_DISTRIBUTIONS
        for name in top_level_names(distribution)
        if (site / name).exists()
    }

    # Then none is there: the runtime's boto3 is used, never a second copy
    assert not shipped
    assert (site / "alchemiser" / "__init__.py").is_file()


@pytest.mark.parametrize("resource", [*FUNCTIONS, *LAYERS])
def test_build_info_holds_the_commit_built(builds: Builds, resource: str) -> None:
    # Given an artifact's build_info.json (where the health probe reads its commit)
    if builds.tree_changed:
        pytest.skip(CONCURRENT_EDITS)
    root = builds.first / resource
    (build_info,) = root.rglob("build_info.json")

    # When it is read
    commit = json.loads(build_info.read_text())["commit"]

    # Then it is the checked-out commit (marked -dirty when tracked files were modified)
    assert commit.removesuffix("-dirty") == builds.commit_before


@pytest.mark.parametrize("resource", [*FUNCTIONS, *LAYERS])
def test_two_clean_builds_are_byte_identical(builds: Builds, resource: str) -> None:
    # Given two clean builds of the unchanged tree
    if builds.tree_changed:
        pytest.skip(CONCURRENT_EDITS)
    first = _digests(builds.first / resource)
    second = _digests(builds.second / resource)

    # Then every file has the same bytes under the same relative path
    assert first, f"empty artifact {resource}"
    differing = sorted(p for p in first.keys() | second.keys() if first.get(p) != second.get(p))
    assert not differing, f"{resource}: differs between builds: {differing[:20]}"
