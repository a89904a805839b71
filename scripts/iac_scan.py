"""checkov over template.yaml and over its translation: one JSON line of figures.

Both are scanned, in one checkov run. template.yaml is what people edit: its findings
point at its lines, and each skip lives in the resource's ``Metadata`` (``checkov: skip:
[{id, comment}]``). The aws-sam-translator output is what CloudFormation deploys: the
functions as ``AWS::Lambda::Function`` with their versions, aliases, invoke configs, and
the rule and permission the SAM event becomes. SAM copies a resource's ``Metadata`` onto
what it generates, so one skip covers both.

The scan fails (exit 1) on a failed check, a template checkov cannot parse, a skip
without a reason, or a skip that silences nothing (a mistyped id, a check that does not
apply to that resource). checkov itself runs from its own environment (pyproject's
``iac-scan`` group): its pins conflict with aws-sam-cli's.

Usage: scripts/iac_scan.py --checkov .tools/iac-scan/bin/checkov [--template template.yaml]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "MIN_REASON_CHARS",
    "Figures",
    "Finding",
    "ScanError",
    "Skip",
    "declared_skips",
    "figures",
    "main",
    "run_checkov",
    "scan",
]

ROOT = Path(__file__).resolve().parents[1]
#: A reason is a sentence that says why the check does not apply, not "ok" or "n/a".
MIN_REASON_CHARS = 40
#: What checkov reports for a skip written without a comment.
_NO_COMMENT = "No comment provided"
TRANSLATED = "translated"


class ScanError(Exception):
    """Raised when checkov did not run or did not answer with a report."""


@dataclass(frozen=True, order=True)
class Skip:
    """One suppressed check: on which resource (logical id), and why."""

    resource: str
    check: str
    reason: str


@dataclass(frozen=True, order=True)
class Finding:
    """One failed check, where it is, and what it asks for."""

    template: str
    resource: str
    check: str
    lines: str
    name: str


@dataclass(frozen=True)
class Figures:
    """What one scan found, per template and in total."""

    checkov: str
    templates: dict[str, dict[str, int]]
    failures: list[Finding] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    unexplained_skips: list[Skip] = field(default_factory=list)
    stale_skips: list[Skip] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing failed, everything parsed, every skip is explained and silences a check."""
        unparsed = any(counts["parsing_errors"] for counts in self.templates.values())
        return not (self.failures or self.unexplained_skips or self.stale_skips or unparsed)

    def as_json(self, seconds: float) -> str:
        """The one-line report (``make checkov``)."""
        report = {"ok": self.ok, "seconds": round(seconds, 1), **asdict(self)}
        return json.dumps(report, sort_keys=False)


def _logical_id(resource: str) -> str:
    """``AWS::SQS::Queue.PnlReportsQueue`` -> ``PnlReportsQueue``."""
    return resource.rsplit(".", 1)[-1]


def declared_skips(template: Mapping[str, Any]) -> list[Skip]:
    """Every ``Metadata: checkov: skip`` entry of the template, as written."""
    skips = []
    for logical_id, body in template.get("Resources", {}).items():
        metadata = body.get("Metadata") or {}
        for entry in (metadata.get("checkov") or {}).get("skip") or []:
            reason = str(entry.get("comment") or "")
            skips.append(Skip(logical_id, str(entry.get("id")), reason))
    return sorted(skips)


def _explained(reason: str) -> bool:
    return reason != _NO_COMMENT and len(reason.strip()) >= MIN_REASON_CHARS


def _results(report: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    return list(report.get("results", {}).get(kind, []))


def _label(check: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    path = str(check.get("file_abs_path") or check.get("file_path", ""))
    return labels.get(str(Path(path).resolve()), path)


def _counts(report: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, dict[str, int]]:
    templates = {
        label: {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0}
        for label in labels.values()
    }
    for kind, key in (("passed_checks", "passed"), ("failed_checks", "failed")):
        for check in _results(report, kind):
            templates[_label(check, labels)][key] += 1
    for check in _results(report, "skipped_checks"):
        templates[_label(check, labels)]["skipped"] += 1
    for path in report.get("results", {}).get("parsing_errors", []):
        label = labels.get(str(Path(path).resolve()), str(path))
        templates.setdefault(label, {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0})
        templates[label]["parsing_errors"] += 1
    return templates


def figures(
    report: Mapping[str, Any], *, labels: Mapping[str, str], declared: Sequence[Skip]
) -> Figures:
    """Judge one checkov JSON report.

    ``labels`` names each scanned file (absolute path -> label); ``declared`` are the
    skips written in template.yaml, each of which must have silenced a check there.
    """
    failures = sorted(
        Finding(
            template=_label(check, labels),
            resource=check["resource"],
            check=check["check_id"],
            lines="-".join(str(n) for n in check.get("file_line_range", [])),
            name=str(check.get("check_name", "")),
        )
        for check in _results(report, "failed_checks")
    )
    applied = {
        Skip(_logical_id(check["resource"]), check["check_id"], _comment(check))
        for check in _results(report, "skipped_checks")
    }
    silenced = {(skip.resource, skip.check) for skip in applied}
    return Figures(
        checkov=str(report.get("summary", {}).get("checkov_version", "")),
        templates=_counts(report, labels),
        failures=failures,
        skips=sorted(applied),
        unexplained_skips=sorted(skip for skip in applied if not _explained(skip.reason)),
        stale_skips=[skip for skip in declared if (skip.resource, skip.check) not in silenced],
    )


def _comment(check: Mapping[str, Any]) -> str:
    return str((check.get("check_result") or {}).get("suppress_comment") or _NO_COMMENT)


def run_checkov(checkov: Path, files: Sequence[Path]) -> dict[str, Any]:
    """The report checkov prints over ``files``: CloudFormation checks only, nothing downloaded.

    Raises:
        ScanError: checkov could not be started or did not print a report.
    """
    command = [str(checkov), "--framework", "cloudformation", "--skip-download"]
    command += [arg for path in files for arg in ("--file", str(path))]
    try:
        done = subprocess.run(  # noqa: S603 - our own argument list, no shell
            [*command, "--output", "json"], capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise ScanError(f"cannot run {checkov} ({exc.strerror}): run `make checkov`") from exc
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        tail = (done.stderr or done.stdout).strip()[-2000:]
        raise ScanError(f"checkov exited {done.returncode} without a report: {tail}") from exc
    if isinstance(report, list):  # one entry per framework that found files
        report = next((r for r in report if r.get("check_type") == "cloudformation"), {})
    if not isinstance(report, dict):
        raise ScanError(f"checkov answered {type(report).__name__}, not a report")
    return report


def _write_translation(template: Path, directory: Path) -> Path:
    from alchemiser_local.template import translate_template  # noqa: PLC0415

    translated = translate_template(template, parameters={"Stage": "prod"})
    path = directory / f"{template.stem}.translated.json"
    path.write_text(json.dumps(translated, indent=1))
    return path


def scan(checkov: Path, template: Path) -> Figures:
    """Scan ``template`` and its SAM translation in one checkov run.

    Raises:
        ScanError: checkov did not run.
        TemplateError: the template is missing, not YAML, or not valid SAM.
    """
    from alchemiser_local.template import load_template  # noqa: PLC0415

    template = template.resolve()
    with tempfile.TemporaryDirectory(prefix="iac-scan-") as scratch:
        translated = _write_translation(template, Path(scratch))
        report = run_checkov(checkov, [template, translated])
        labels = {str(template): template.name, str(translated.resolve()): TRANSLATED}
        return figures(report, labels=labels, declared=declared_skips(load_template(template)))


def _explain(result: Figures) -> None:
    for failure in result.failures:
        print(
            f"FAILED {failure.check} {failure.resource} ({failure.template}:{failure.lines}):"
            f" {failure.name}",
            file=sys.stderr,
        )
    for skip in result.unexplained_skips:
        print(f"UNEXPLAINED skip {skip.check} on {skip.resource}: {skip.reason!r}", file=sys.stderr)
    for skip in result.stale_skips:
        print(f"STALE skip {skip.check} on {skip.resource}: silences no check", file=sys.stderr)
    for label, counts in result.templates.items():
        if counts["parsing_errors"]:
            print(f"UNPARSED {label}: checkov could not read it", file=sys.stderr)
    if not result.ok:
        print(
            "Fix the resource, or skip the check in its Metadata (checkov: skip: - id: ..."
            f" comment: why it does not apply, at least {MIN_REASON_CHARS} characters).",
            file=sys.stderr,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures; 0 when clean, 1 on a finding, 2 when checkov did not run."""
    from alchemiser_local.template import TemplateError  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--checkov", type=Path, required=True, help="the checkov executable")
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = scan(args.checkov, args.template)
    except (ScanError, TemplateError) as exc:
        print(f"iac_scan: {exc}", file=sys.stderr)
        return 2
    print(result.as_json(time.perf_counter() - started))
    _explain(result)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
