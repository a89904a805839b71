"""``alchemiser``: the serverless workflow on one machine (no AWS account, no Docker).

alchemiser run [--days N] [--start YYYY-MM-DD]   the whole workflow, then a report
alchemiser invoke <FunctionLogicalId> --event FILE   what `sam local invoke` does
alchemiser up                                     keep the local stack running
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

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
    parser.add_argument("--stage", default="dev", choices=["dev", "staging", "prod"])
    parser.add_argument(
        "--port", type=int, default=0, help="emulator port on 127.0.0.1 (default: any free port)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

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

    invoke = commands.add_parser("invoke", help="invoke one function with an event file")
    invoke.add_argument("function", help="logical id in template.yaml, e.g. TradingSystemFunction")
    invoke.add_argument("--event", type=Path, required=True, help="JSON event file")

    commands.add_parser("up", help="keep the local stack running until Ctrl-C")
    return parser


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


def _run(args: argparse.Namespace) -> int:
    from alchemiser_local.emulator import Emulator  # noqa: PLC0415

    if args.days < 1:
        raise CliError("--days must be at least 1")
    # The emulator's start is the slowest step: under way before anything else loads.
    emulator = Emulator(port=args.port)
    emulator.start()
    from alchemiser_local.report import write_equity_curve  # noqa: PLC0415
    from alchemiser_local.runner import RunOptions, run  # noqa: PLC0415

    report = run(
        RunOptions(
            root=ROOT,
            template=args.template,
            out_dir=args.out,
            days=args.days,
            start=args.start,
            stage=args.stage,
            port=args.port,
            seed=args.seed,
        ),
        emulator=emulator,
    )
    (args.out / "report.json").write_text(report.to_json() + "\n")
    lines = [f"\nreport {args.out / 'report.json'}", f"logs   {report.log_file}"]
    if args.days > 1:
        write_equity_curve(report.days, args.out / "equity.png")
        lines.append(f"equity {args.out / 'equity.png'}")
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
    from alchemiser_local.emulator import Emulator  # noqa: PLC0415
    from alchemiser_local.session import running_stack  # noqa: PLC0415

    emulator = Emulator(port=args.port)
    with running_stack(template=args.template, root=ROOT, stage=args.stage, emulator=emulator) as (
        endpoint,
        stack,
    ):
        print(f"AWS_ENDPOINT_URL={endpoint}")
        print("AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1")
        for key, value in sorted(stack.outputs.items()):
            print(f"{key:32} {value}")
        print("\nlocal stack running; Ctrl-C stops it")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("\nstopping")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``alchemiser`` command.

    The process ends with the command, so what it built is frozen out of the garbage
    collector first: the interpreter's last collection would otherwise walk all of it
    (boto3's models, the template, pydantic's schemas), up to a second after the work
    is done. Exit itself stays normal (buffers flushed, atexit handlers run).
    """
    from alchemiser_local.emulator import EmulatorError  # noqa: PLC0415
    from alchemiser_local.stack import StackError  # noqa: PLC0415
    from alchemiser_local.template import TemplateError  # noqa: PLC0415

    args = _parser().parse_args(argv)
    handlers = {"run": _run, "invoke": _invoke, "up": _up}
    try:
        return handlers[args.command](args)
    except (CliError, TemplateError, StackError, EmulatorError, LookupError) as exc:
        print(f"alchemiser {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
