"""Pipes input templates and dynamic parameters, rendered as the Pipes user guide says."""

from __future__ import annotations

import json

from eventpipe.local.pipes import TemplateContext, render_template
from eventpipe.local.pipes.runner import dynamic_parameter

CONTEXT = TemplateContext(
    pipe_arn="arn:aws:pipes:us-east-1:123456789012:pipe/p",
    pipe_name="p",
    source_arn="arn:aws:sqs:us-east-1:123456789012:intake",
    target_arn="arn:aws:sqs:us-east-1:123456789012:orders.fifo",
)
EVENT = {"id": "e-1", "detail-type": "Order Created", "detail": {"customerId": "c-7", "n": 3}}
RECORD = {"messageId": "m-1", "body": json.dumps(EVENT), "attributes": {"SenderId": "AIDA"}}


def test_the_body_placeholder_renders_the_parsed_event_as_json() -> None:
    assert json.loads(render_template("<$.body>", RECORD, CONTEXT)) == EVENT


def test_a_quoted_string_goes_in_as_escaped_text_an_object_as_json() -> None:
    record = {**RECORD, "body": json.dumps({"detail": {"q": 'say "hi"', "o": {"a": [1]}}})}
    text = render_template('{"q": "<$.body.detail.q>", "o": <$.body.detail.o>}', record, CONTEXT)
    assert json.loads(text) == {"q": 'say "hi"', "o": {"a": [1]}}


def test_free_text_numbers_and_reserved_variables() -> None:
    text = render_template(
        "n=<$.body.detail.n> from <aws.pipes.pipe-name> to <aws.pipes.target-arn>", RECORD, CONTEXT
    )
    assert text == f"n=3 from p to {CONTEXT.target_arn}"


def test_a_body_that_is_not_json_stays_text_and_a_path_into_it_selects_nothing() -> None:
    record = {**RECORD, "body": "plain text"}
    assert render_template("<$.body>", record, CONTEXT) == "plain text"
    assert render_template('{"x": <$.body.detail>}', record, CONTEXT) == '{"x": null}'


def test_event_json_is_the_record_with_its_body_parsed() -> None:
    text = render_template('{"e": <aws.pipes.event.json>}', RECORD, CONTEXT)
    assert json.loads(text)["e"]["body"] == EVENT


def test_dynamic_parameters_literal_path_and_missing() -> None:
    assert dynamic_parameter("fixed", RECORD) == "fixed"
    assert dynamic_parameter("$.body.detail.customerId", RECORD) == "c-7"
    assert dynamic_parameter("$.body.id", RECORD) == "e-1"
    assert dynamic_parameter("$.body.detail.n", RECORD) == "3"
    assert dynamic_parameter("$.body.detail.missing", RECORD) is None
    assert dynamic_parameter(None, RECORD) is None
