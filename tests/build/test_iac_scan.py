"""`make checkov` fails on what it must: the real checkov over a template built to fail.

One resource per way to fail (a new finding, a skip without a reason, a mistyped skip),
and a SAM function whose skip must hold for template.yaml and for its translation alike.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.template import ROOT

pytestmark = pytest.mark.slow

IAC_SCAN = ROOT / ".tools" / "iac-scan"
VPC_REASON = "No VPC resources to reach: the function calls public AWS endpoints only."

TEMPLATE = textwrap.dedent(
    f"""\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Worker:
        Type: AWS::Serverless::Function
        Metadata:
          checkov:
            skip:
              - id: CKV_AWS_117
                comment: "{VPC_REASON}"
        Properties:
          Runtime: python3.12
          Handler: app.handler
          CodeUri: worker/
      Plain:
        Type: AWS::SQS::Queue
        Properties:
          QueueName: plain
      Unexplained:
        Type: AWS::SQS::Queue
        Metadata:
          checkov:
            skip:
              - id: CKV_AWS_27
        Properties:
          QueueName: unexplained
      Mistyped:
        Type: AWS::SQS::Queue
        Metadata:
          checkov:
            skip:
              - id: CKV_AWS_27
                comment: "Encrypted with SSE-SQS; a CMK would add a key policy to keep."
              - id: CKV_AWS_2700
                comment: "A check id that does not exist, so it silences nothing at all."
        Properties:
          QueueName: mistyped
    """
)


@dataclass(frozen=True)
class Scan:
    status: int
    figures: dict[str, Any]
    explanation: str


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> Scan:
    """`scripts/iac_scan.py` over TEMPLATE, with checkov installed as `make checkov` does."""
    subprocess.run(
        ["make", "--no-print-directory", f"{IAC_SCAN.relative_to(ROOT)}/.synced"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    template = tmp_path_factory.mktemp("iac") / "template.yaml"
    template.write_text(TEMPLATE)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "iac_scan.py"),
            "--template",
            str(template),
            "--checkov",
            str(IAC_SCAN / "bin" / "checkov"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.count("\n") == 1, done.stderr  # one JSON line
    return Scan(done.returncode, json.loads(done.stdout), done.stderr)


def test_a_new_finding_fails_the_scan_in_both_templates(scanned) -> None:
    assert scanned.status == 1
    assert scanned.figures["ok"] is False
    failed = {(f["template"], f["resource"], f["check"]) for f in scanned.figures["failures"]}
    assert ("template.yaml", "AWS::SQS::Queue.Plain", "CKV_AWS_27") in failed
    assert ("translated", "AWS::SQS::Queue.Plain", "CKV_AWS_27") in failed
    assert "FAILED CKV_AWS_27 AWS::SQS::Queue.Plain (template.yaml:" in scanned.explanation


def test_a_skip_without_a_reason_fails_the_scan(scanned) -> None:
    unexplained = [(s["resource"], s["check"]) for s in scanned.figures["unexplained_skips"]]
    assert unexplained == [("Unexplained", "CKV_AWS_27")]


def test_a_skip_that_silences_nothing_fails_the_scan(scanned) -> None:
    stale = [(s["resource"], s["check"]) for s in scanned.figures["stale_skips"]]
    assert stale == [("Mistyped", "CKV_AWS_2700")]


def test_a_skip_on_a_sam_function_holds_for_its_translation(scanned) -> None:
    skip = {"resource": "Worker", "check": "CKV_AWS_117", "reason": VPC_REASON}
    assert skip in scanned.figures["skips"]
    assert scanned.figures["templates"]["template.yaml"]["skipped"] >= 1
    assert scanned.figures["templates"]["translated"]["skipped"] >= 1
    failed = {f["resource"] for f in scanned.figures["failures"] if f["check"] == "CKV_AWS_117"}
    assert failed == set()
