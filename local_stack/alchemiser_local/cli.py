"""``alchemiser``: the workflow on one machine, and the operator's commands for a stack.

The local stack (no AWS account, no Docker):
  alchemiser run [--days N] [--start YYYY-MM-DD]      the whole workflow, then a report
  alchemiser run --replay out/local-run/envelopes.jsonl   a saved run again, on a fresh stack
  alchemiser run --enforce-iam                        IAM enforced, each part with its own role
  alchemiser invoke <FunctionLogicalId> --event FILE  what `sam local invoke` does
  alchemiser up [--bare]                              keep a local stack running

Operator commands, each for a deployed stage (--stage S) or the running `up` (--local):
  alchemiser schedule fire NAME [--at TIME]           fire a schedule as Scheduler would
  alchemiser bars backfill | bars import FILE.csv     fill the bar store
  alchemiser paper reset --cash N --yes               start the paper account over
  alchemiser risk resume --reason TEXT                turn the drawdown kill switch off
  alchemiser logs trace CORRELATION_ID | --date D     one workflow's timeline from the logs
  alchemiser logs tail [--function F] [--follow]      the functions' latest log lines
  alchemiser dlq list | dlq replay QUEUE              failure queues, and their re-delivery
  alchemiser replay --date D                          replay a day from the event archive
  alchemiser verify-deploy --commit SHA               every alias healthy at the commit

README.md, "Operating it", says which to run when.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[2]
EXIT_FAILED = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alchemiser", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--template",
        type=Path,
        default=ROOT / "template.yaml",
        help="SAM template (default: the repository's template.yaml)",
    )
    parser.add_argument(
        "--stage",
        default="dev",
        choices=["dev", "staging", "prod"],
        help="the local stack's stage (run, invoke, up; and which `up` --local means)",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="emulator port on 127.0.0.1 (default: any free port)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _local_stack_commands(commands)
    from alchemiser_local.ops import MODULES  # noqa: PLC0415 - the operator commands

    for module in MODULES:
        module.register(commands)
    return parser


def _parameter(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE (e.g. BrokerBackend=alpaca)")
    return key, value


def _add_parameters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--parameter",
        dest="parameters",
        type=_parameter,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a template parameter override, as sam deploy takes it (repeatable)",
    )


def _add_enforce_iam(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--enforce-iam",
        action="store_true",
        help="the emulator enforces IAM: each function, the task worker and the operator "
        "commands run with their own role's credentials (sts:AssumeRole), and every "
        'AccessDenied is counted (README, "The local stack")',
    )


def _local_stack_commands(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers

    run = commands.add_parser("run", help="run the trading workflow end to end")
    run.add_argument("--days", type=int, default=1, help="consecutive trading days to run")
    run.add_argument(
        "--start",
        type=date.fromisoformat,
        help="first trading day (default: the days ending yesterday)",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=ROOT / "out" / "local-run",
        help="where logs, report.json and equity.png go",
    )
    run.add_argument("--seed", type=int, default=7, help="seed of the synthetic bars")
    run.add_argument(
        "--replay",
        type=Path,
        metavar="FILE",
        help="feed a saved run's envelopes.jsonl through a fresh stack (its days, seed and "
        "parameters; --days, --start, --seed and --parameter are not used)",
    )
    _add_parameters(run)
    _add_enforce_iam(run)
    run.set_defaults(handler=_run)

    invoke = commands.add_parser("invoke", help="invoke one function with an event file")
    invoke.add_argument("function", help="logical id in template.yaml, e.g. TradingSystemFunction")
    invoke.add_argument("--event", type=Path, required=True, help="JSON event file")
    invoke.set_defaults(handler=_invoke)

    up = commands.add_parser("up", help="keep a local stack running until Ctrl-C")
    up.add_argument(
        "--bare",
        action="store_true",
        help="a fresh deployment: empty bar store, no paper account (the first-deploy runbook)",
    )
    up.add_argument(
        "--endpoint-port", type=int, default=0, help="the operator endpoint's port (default: any)"
    )
    up.add_argument(
        "--out", type=Path, default=ROOT / "out" / "local-stack", help="where the logs go"
    )
    _add_parameters(up)
    _add_enforce_iam(up)
    up.set_defaults(handler=_up)


def _read_event(path: Path) -> object:
    try:
        text = path.read_text()
    except OSError as exc:
        raise CliError(f"cannot read event file {path}: {exc.strerror}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
            f"(position {exc.pos})"
        ) from exc


def _stack_options(args: argparse.Namespace) -> dict[str, Any]:
    """What ``run`` and ``up`` share: the template, the stack's stage, ports and parameters."""
    return {
        "root": ROOT,
        "template": args.template,
        "out_dir": args.out,
        "stage": args.stage,
        "port": args.port,
        "parameters": dict(args.parameters),
    }


def _unchecked(args: argparse.Namespace) -> int | None:
    """The emulator's unchecked first requests: the admin's creation (IAM enforced)."""
    from alchemiser_local.iam import UNCHECKED_REQUESTS  # noqa: PLC0415

    return UNCHECKED_REQUESTS if args.enforce_iam else None


def _run(args: argparse.Namespace) -> int:
    from alchemiser_local.emulator import Emulator  # noqa: PLC0415

    if args.days < 1:
        raise CliError("--days must be at least 1")
    # The emulator's start is the slowest step: under way before anything else loads.
    emulator = Emulator(port=args.port, unchecked_requests=_unchecked(args))
    emulator.start()
    from alchemiser_local.report import write_equity_curve  # noqa: PLC0415
    from alchemiser_local.runner import RunOptions, run  # noqa: PLC0415

    options = RunOptions(
        **_stack_options(args),
        days=args.days,
        start=args.start,
        seed=args.seed,
        replay=args.replay,
        enforce_iam=args.enforce_iam,
    )
    report = run(options, emulator=emulator)
    (args.out / "report.json").write_text(report.to_json() + "\n")
    lines = [
        f"\nreport    {args.out / 'report.json'}",
        f"logs      {report.log_file}",
        f"envelopes {report.envelopes_file}" + (" (replayed)" if args.replay else ""),
    ]
    if len(report.days) > 1:
        write_equity_curve(report.days, args.out / "equity.png")
        lines.append(f"equity    {args.out / 'equity.png'}")
    print("\n".join(lines))
    verdict = "completed" if report.succeeded else "did NOT complete"
    print(f"\nworkflow {verdict} in {report.seconds:.1f} s")
    return 0 if report.succeeded else EXIT_FAILED


def _invoke(args: argparse.Namespace) -> int:
    from alchemiser.logging import configure_logging  # noqa: PLC0415
    from alchemiser_local.session import invoke_function  # noqa: PLC0415

    event = _read_event(args.event)
    configure_logging(stream=sys.stderr, force=True)  # the function's logs; stdout: its result
    attempt = invoke_function(
        template=args.template,
        root=ROOT,
        stage=args.stage,
        port=args.port,
        function=args.function,
        event=event,
    )
    if attempt.error:
        print(json.dumps({"errorMessage": attempt.error}, indent=2))
        return EXIT_FAILED
    print(json.dumps(attempt.result, indent=2, default=str))
    return 0


def _up(args: argparse.Namespace) -> int:
    from alchemiser_local.up import UpOptions, serve  # noqa: PLC0415

    options = UpOptions(
        **_stack_options(args),
        endpoint_port=args.endpoint_port,
        bare=args.bare,
        enforce_iam=args.enforce_iam,
    )
    return serve(options, out=lambda line: print(line, flush=True))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``alchemiser`` command.

    The process ends with the command, so what it built is frozen out of the garbage
    collector first: the interpreter's last collection would otherwise walk all of it
    (boto3's models, the template, pydantic's schemas), up to a second after the work
    is done. Exit itself stays normal (buffers flushed, atexit handlers run).
    """
    from alchemiser_local.emulator import EmulatorError  # noqa: PLC0415
    from alchemiser_local.envelopes import RecordingError  # noqa: PLC0415
    from alchemiser_local.ops.common import OpsError  # noqa: PLC0415
    from alchemiser_local.stack import StackError  # noqa: PLC0415
    from alchemiser_local.target import TargetError  # noqa: PLC0415
    from alchemiser_local.template import TemplateError  # noqa: PLC0415

    args = _parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except (
        CliError,
        OpsError,
        TargetError,
        TemplateError,
        StackError,
        EmulatorError,
        RecordingError,
        LookupError,
    ) as exc:
        print(f"alchemiser {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
