"""The IaC scan's verdict on a checkov report: what fails it, and what a skip must carry.

Reports here have the shape checkov 3 prints with ``--output json`` (the slow test in
tests/build runs the real checkov on a template built to fail each way).
"""

from __future__ import annotations

import json
from typing import Any

from alchemiser_local.template import load_template
from scripts.iac_scan import MIN_REASON_CHARS, Finding, Skip, declared_skips, figures
from tests.support.template import TEMPLATE_PATH

RAW = "/work/template.yaml"
TRANSLATED = "/tmp/iac-scan-x/template.translated.json"
LABELS = {RAW: "template.yaml", TRANSLATED: "translated"}
REASON = "SSE-SQS already encrypts this queue at rest; a CMK adds cost and a key policy."


def result(
    check_id: str,
    resource: str,
    *,
    path: str = RAW,
    comment: str | None = None,
    lines: tuple[int, int] = (10, 20),
) -> dict[str, Any]:
    """One check result as checkov reports it (skipped when ``comment`` is given)."""
    check_result: dict[str, Any] = {"result": "SKIPPED" if comment else "PASSED"}
    if comment:
        check_result["suppress_comment"] = comment
    return {
        "check_id": check_id,
        "check_name": f"{check_id} wants something",
        "check_result": check_result,
        "file_abs_path": path,
        "file_path": "/" + path.rsplit("/", 1)[-1],
        "file_line_range": list(lines),
        "resource": resource,
    }


def report(
    passed: list[dict[str, Any]] | None = None,
    failed: list[dict[str, Any]] | None = None,
    skipped: list[dict[str, Any]] | None = None,
    parsing_errors: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "check_type": "cloudformation",
        "results": {
            "passed_checks": passed or [],
            "failed_checks": failed or [],
            "skipped_checks": skipped or [],
            "parsing_errors": parsing_errors or [],
        },
        "summary": {"checkov_version": "3.3.30"},
    }


def test_a_clean_report_is_ok_and_counts_each_template() -> None:
    clean = report(
        passed=[
            result("CKV_AWS_28", "AWS::DynamoDB::Table.Ledger"),
            result("CKV_AWS_28", "AWS::DynamoDB::Table.Ledger", path=TRANSLATED),
        ],
        skipped=[result("CKV_AWS_27", "AWS::SQS::Queue.Tasks", comment=REASON)],
    )

    verdict = figures(clean, labels=LABELS, declared=[Skip("Tasks", "CKV_AWS_27", REASON)])

    assert verdict.ok
    assert verdict.templates == {
        "template.yaml": {"passed": 1, "failed": 0, "skipped": 1, "parsing_errors": 0},
        "translated": {"passed": 1, "failed": 0, "skipped": 0, "parsing_errors": 0},
    }
    assert verdict.checkov == "3.3.30"


def test_a_failed_check_fails_the_scan_and_says_where() -> None:
    failing = report(failed=[result("CKV_AWS_21", "AWS::S3::Bucket.Bars", lines=(40, 52))])

    verdict = figures(failing, labels=LABELS, declared=[])

    assert not verdict.ok
    assert verdict.failures == [
        Finding(
            template="template.yaml",
            resource="AWS::S3::Bucket.Bars",
            check="CKV_AWS_21",
            lines="40-52",
            name="CKV_AWS_21 wants something",
        )
    ]


def test_a_skip_without_a_comment_is_unexplained() -> None:
    # checkov's own words for a Metadata skip that has no comment
    silent = report(skipped=[result("CKV_AWS_27", "AWS::SQS::Queue.Tasks", comment=None)])
    silent["results"]["skipped_checks"][0]["check_result"] = {
        "result": "SKIPPED",
        "suppress_comment": "No comment provided",
    }

    verdict = figures(silent, labels=LABELS, declared=[Skip("Tasks", "CKV_AWS_27", "")])

    assert not verdict.ok
    assert [skip.resource for skip in verdict.unexplained_skips] == ["Tasks"]


def test_a_token_reason_is_not_an_explanation() -> None:
    token = "n/a"
    assert len(token) < MIN_REASON_CHARS
    terse = report(skipped=[result("CKV_AWS_27", "AWS::SQS::Queue.Tasks", comment=token)])

    verdict = figures(terse, labels=LABELS, declared=[Skip("Tasks", "CKV_AWS_27", token)])

    assert verdict.unexplained_skips == [Skip("Tasks", "CKV_AWS_27", token)]
    assert not verdict.ok


def test_a_declared_skip_that_silences_no_check_is_stale() -> None:
    mistyped = Skip("Tasks", "CKV_AWS_272", REASON)  # no such check: checkov ignores it
    nothing = report(passed=[result("CKV_AWS_27", "AWS::SQS::Queue.Tasks")])

    verdict = figures(nothing, labels=LABELS, declared=[mistyped])

    assert verdict.stale_skips == [mistyped]
    assert not verdict.ok


def test_a_skip_on_a_sam_resource_and_on_its_translation_is_listed_once() -> None:
    both = report(
        skipped=[
            result("CKV_AWS_117", "AWS::Serverless::Function.Trading", comment=REASON),
            result("CKV_AWS_117", "AWS::Lambda::Function.Trading", path=TRANSLATED, comment=REASON),
        ]
    )

    verdict = figures(both, labels=LABELS, declared=[Skip("Trading", "CKV_AWS_117", REASON)])

    assert verdict.skips == [Skip("Trading", "CKV_AWS_117", REASON)]
    assert verdict.templates["template.yaml"]["skipped"] == 1
    assert verdict.templates["translated"]["skipped"] == 1


def test_a_template_checkov_cannot_parse_fails_the_scan() -> None:
    verdict = figures(report(parsing_errors=[TRANSLATED]), labels=LABELS, declared=[])

    assert verdict.templates["translated"]["parsing_errors"] == 1
    assert not verdict.ok


def test_the_figures_are_one_json_line() -> None:
    verdict = figures(
        report(failed=[result("CKV_AWS_21", "AWS::S3::Bucket.Bars")]), labels=LABELS, declared=[]
    )

    line = verdict.as_json(seconds=3.14)

    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["ok"] is False
    assert parsed["seconds"] == 3.1
    assert parsed["failures"][0]["check"] == "CKV_AWS_21"


def test_every_skip_in_template_yaml_gives_its_reason() -> None:
    skips = declared_skips(load_template(TEMPLATE_PATH))

    assert skips, "template.yaml declares its skips in resource Metadata"
    terse = [(s.resource, s.check) for s in skips if len(s.reason.strip()) < MIN_REASON_CHARS]
    assert terse == []
