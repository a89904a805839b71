"""The local stack reads template.yaml exactly as the SAM tooling does."""

from __future__ import annotations

import pytest
from samtranslator.yaml_helper import yaml_parse

from alchemiser_local.template import TemplateError, load_template, sub_stage
from tests.support.template import TEMPLATE_PATH


def test_template_parses_to_the_same_data_as_samtranslators_parser():
    assert load_template(TEMPLATE_PATH) == yaml_parse(TEMPLATE_PATH.read_text())


def test_loaded_template_is_the_callers_own_copy():
    first = load_template(TEMPLATE_PATH)
    first["Resources"].clear()

    assert load_template(TEMPLATE_PATH)["Resources"]


def test_a_template_edit_is_read_again(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("Resources: {A: {Type: AWS::SNS::Topic}}\n")
    assert set(load_template(path)["Resources"]) == {"A"}

    path.write_text("Resources: {B: {Type: AWS::SNS::Topic}}\n")

    assert set(load_template(path)["Resources"]) == {"B"}


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ({"Fn::Sub": "alchemiser-events-${Stage}"}, "alchemiser-events-prod"),
        ("alchemiser-${Stage}-daily-trade", "alchemiser-prod-daily-trade"),
        ("fixed-name", "fixed-name"),
    ],
)
def test_sub_stage_resolves_names_that_use_only_the_stage(value, name):
    assert sub_stage(value, "prod") == name


def test_sub_stage_refuses_anything_but_a_plain_string():
    with pytest.raises(TemplateError, match="not a plain !Sub string"):
        sub_stage({"Fn::Sub": ["${A}-${Stage}", {"A": {"Ref": "B"}}]}, "dev")
