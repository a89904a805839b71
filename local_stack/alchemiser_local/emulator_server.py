"""The emulator process: moto's server, with CloudFormation loaded before it serves.

Loading moto's CloudFormation up front (it imports the model of every service it can
create) means the first ``create_stack`` does not pay for it while the client waits.
That import is most of the emulator's start (about a second of CPU), and it creates
objects by the million with nothing to collect: the cyclic garbage collector is off
while it runs (about a tenth of the start) and what it built is then frozen out of
every later collection, so request handling does not walk moto's models either.

DynamoDB writes are made one at a time (``isolate_dynamodb_writes``). moto 5.2 runs two
requests on two server threads at once, checks a condition and writes without a lock,
and "rolls back" a cancelled transaction by restoring a copy of the whole table, erasing
a concurrent write; real DynamoDB applies conditional writes and transactions
atomically. Without this, two concurrent deliveries of one event could both take its
idempotency claim here, which they never can on AWS.

Three of moto's costs redo work on identical input; here each is done once or on the
C parser, with the same results (nothing else about the emulator changes):
- its server finds the service a request is for by listing its own package directory,
  on every request, under a lock that serializes them (0.7 ms of the 1.8 ms a request
  cost here); that list cannot change while the server runs;
- EventBridge, for each target of each matching rule, parses the JSONPaths of the
  target's input template anew, and each parse builds a new parser (PLY's tables): 90%
  of a ``PutEvents`` (11 of 12 ms here); a path's parse depends on its text alone;
- CloudFormation reads a template with PyYAML's pure-Python loader (26 ms for this
  stack, more than once per stack); libyaml's loader with moto's own tag constructor
  gives the same data (a unit test compares them) in 3 ms.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import yaml


class _TemplateLoader(yaml.CLoader):
    """The loader moto reads CloudFormation templates with, on libyaml."""


def parse_template(template: str) -> dict[str, Any]:
    """The body of moto's ``Stack.parse_template``, on ``_TemplateLoader``."""
    from moto.cloudformation.utils import yaml_tag_constructor  # noqa: PLC0415

    _TemplateLoader.add_multi_constructor("", yaml_tag_constructor)
    try:
        parsed: dict[str, Any] = yaml.load(template, Loader=_TemplateLoader)  # noqa: S506
    except (yaml.parser.ParserError, yaml.scanner.ScannerError):
        return dict(json.loads(template))
    return parsed


def faster_moto() -> None:
    """Do moto's repeated work once (see the module docstring)."""
    from jsonpath_ng import ext  # noqa: PLC0415 - loaded with moto's CloudFormation
    from moto import backends  # noqa: PLC0415
    from moto.cloudformation import models as cloudformation  # noqa: PLC0415

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    # moto imports it from here at each call; jsonpath-ng re-exports it without __all__.
    ext.parse = functools.cache(ext.parse)  # type: ignore[attr-defined]
    cloudformation.Stack.parse_template = staticmethod(parse_template)  # type: ignore[method-assign]


#: The DynamoDB backend's writes (moto's names).
DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


def one_at_a_time[F: Callable[..., Any]](method: F, lock: threading.RLock) -> F:
    """``method`` holding ``lock`` while it runs."""

    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - moto's signatures
        with lock:
            return method(*args, **kwargs)

    return locked  # type: ignore[return-value]


def isolate_dynamodb_writes() -> None:
    """Every DynamoDB write of this process one at a time, as DynamoDB isolates them."""
    from moto.dynamodb.models import DynamoDBBackend  # noqa: PLC0415

    lock = threading.RLock()
    for name in DYNAMODB_WRITES:
        setattr(DynamoDBBackend, name, one_at_a_time(getattr(DynamoDBBackend, name), lock))


def main() -> None:
    """Serve until terminated."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--enforce-iam",
        action="store_true",
        help="check every request against IAM as AWS does (emulator_iam); moto's own "
        "INITIAL_NO_AUTH_ACTION_COUNT says how many first requests go unchecked",
    )
    args = parser.parse_args()

    gc.disable()
    import moto.cloudformation.models  # noqa: F401, PLC0415 - see the module docstring
    from moto.server import main as moto_main  # noqa: PLC0415

    faster_moto()
    isolate_dynamodb_writes()
    if args.enforce_iam:
        from alchemiser_local.emulator_iam import enforce  # noqa: PLC0415

        enforce()
    gc.freeze()
    gc.enable()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    moto_main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    main()
