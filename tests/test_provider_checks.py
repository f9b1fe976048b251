"""Values the provider or AWS refuses are refused while resolving, by name, with the fix."""

from __future__ import annotations

from typing import Any

import pytest

from eventpipe import provider_checks
from eventpipe.exceptions import ConfigurationError
from eventpipe.resolve import Resolved, resolve
from tests.plugins.declared import consumer, plugin

TYPED = "tests.plugins.handlers:typed"


def run(values: dict[str, Any], *consumers: Any, target: str | None = None) -> Resolved:
    return resolve(
        values,
        stack="dev",
        extra_plugins=[("shop", plugin(*(consumers or (consumer("orders"),))))],
        entry_points=False,
        env={},
        target=target,
    )


def refused(values: dict[str, Any], *consumers: Any, target: str | None = None) -> list[str]:
    with pytest.raises(ConfigurationError) as info:
        run(values, *consumers, target=target)
    return [str(p) for p in info.value.problems]


def test_the_default_bus_cannot_be_created() -> None:
    (problem,) = refused({"busName": "default", "createBus": True})
    assert "eventpipe:busName" in problem and "'default'" in problem
    assert "createBus: false" in problem  # the fix
    # the account's default bus is fine when the stack does not create it
    assert run({"busName": "default", "createBus": False}).settings.bus_name == "default"


def test_a_slash_is_only_for_partner_buses() -> None:
    (problem,) = refused({"busName": "shop/events", "createBus": True})
    assert "contains '/'" in problem and "eventpipe:busName" in problem
    assert run({"busName": "aws.partner/saas.com/1/x", "createBus": False})


@pytest.mark.parametrize("name", ["", "bad name", "x" * 257, "ümlaut"])
def test_bus_names_outside_the_api_pattern(name: str) -> None:
    problems = refused({"busName": name, "createBus": True})
    assert any("eventpipe:busName" in p for p in problems)


def test_a_consumer_name_starting_with_a_digit_is_refused_when_its_schema_is_published() -> None:
    digit = consumer("3d-orders", handler=TYPED)
    (problem,) = refused({}, digit)
    assert "3d-orders" in problem and "schema" in problem and "publishSchemas: false" in problem
    # not published: nothing the provider would refuse
    assert run({"publishSchemas": False}, digit)
    # a handler without a detail model gets no schema
    assert run({}, consumer("3d-plain"))


def test_tags_beyond_what_aws_takes() -> None:
    problems = refused({"tags": {"aws:owner": "x", "team": "y" * 257}})
    assert any("tags.aws:owner" in p for p in problems)
    assert any("tags.team" in p and "256" in p for p in problems)
    too_many = {f"k{i}": "v" for i in range(48)}
    assert any("keep at most 47" in p for p in refused({"tags": too_many}))


def test_placeholder_addresses_work_locally_and_are_refused_on_aws() -> None:
    mailer = consumer("mail", environment={"SENDER_EMAIL": "noreply@example.com"})
    values = {"alarmEmail": "oncall-dev@example.com"}
    assert run(values, mailer, target="local")
    assert run(values, mailer, target=None)  # nothing deploys (eventpipe consumers)
    problems = refused(values, mailer, target="aws")
    assert any("eventpipe:alarmEmail" in p and "oncall-dev@example.com" in p for p in problems)
    assert any("environment.SENDER_EMAIL" in p and "noreply@example.com" in p for p in problems)
    assert run({"alarmEmail": "oncall@acme.io"}, consumer("mail"), target="aws")


@pytest.mark.parametrize(
    ("address", "reserved"),
    [
        ("a@example.com", True),
        ("a@mail.example.org", True),
        ("a@host.test", True),
        ("a@EXAMPLE.NET.", True),
        ("a@examples.com", False),
        ("a@acme.io", False),
    ],
)
def test_reserved_domains(address: str, reserved: bool) -> None:
    assert provider_checks.reserved_domain(address) is reserved
