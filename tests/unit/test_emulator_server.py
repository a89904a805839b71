"""The emulator's faster moto reads templates exactly as moto does."""

from __future__ import annotations

import json

import pytest
from moto.cloudformation.models import Stack

from alchemiser_local.emulator_server import parse_template
from alchemiser_local.stack import prepare
from tests.support.template import ROOT, TEMPLATE_PATH


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_created_template_parses_as_moto_parses_it(stage):
    # Given the JSON template the local stack sends to CloudFormation
    prepared = prepare(root=ROOT, template_path=TEMPLATE_PATH, stage=stage, stack_name="s")
    body = json.dumps(prepared.prepared.template)

    # Then libyaml's loader reads the same data as moto's own
    assert parse_template(body) == Stack.parse_template(body)


def test_a_yaml_template_with_short_tags_parses_as_moto_parses_it():
    text = TEMPLATE_PATH.read_text()  # !Ref, !Sub, !GetAtt, !If...

    assert parse_template(text) == Stack.parse_template(text)
