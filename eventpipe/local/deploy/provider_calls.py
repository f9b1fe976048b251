"""Answers to the provider functions a program calls locally (``aws.get_region()`` and
friends).

Every answer but one comes from :mod:`eventpipe.provider_answers`, the answers the unit
tests' ``AwsMocks`` give too, with the emulator's region and account, so ARNs a program
builds by hand agree with the ones the emulator returns. The event bus lookup is the one
answered from the emulator's own state: a bus the program looks up must exist there.
"""

from __future__ import annotations

from typing import Any

from eventpipe import provider_answers
from eventpipe.local.deploy.records import DeployState
from eventpipe.provider_answers import Answer, ProviderAnswers

DEFAULT_BUS = "default"


def event_bus(state: DeployState, args: dict[str, Any]) -> dict[str, Any]:
    """``aws.cloudwatch.get_event_bus``: the stack's bus when ``createBus: false``.

    On AWS the bus must already exist (another team's, or ``default``). The local
    emulator starts empty, so a missing bus is created there, with a notice, rather than
    failing the deploy: locally there is nobody else to have created it. ``default``
    always exists. Answered from the embedded moto's own state (answers get the deploy
    record, not a client); with ``--endpoint-url`` the bus must exist in that emulator,
    or its rules are rejected by name.
    """
    from moto.events.models import events_backends

    name = str(args.get("name") or DEFAULT_BUS)
    name = name.rsplit("event-bus/", 1)[-1]  # getEventBus also accepts an ARN
    backend = events_backends[state.account][state.region]
    bus = backend.event_buses.get(name)
    if bus is None:
        bus = backend.create_event_bus(name=name)
        state.notices.append(
            f"event bus {name} (createBus: false) did not exist in the emulator: created it"
        )
    return provider_answers.event_bus(name, bus.arn, state.region)


def answer(
    answers: ProviderAnswers, state: DeployState, token: str, args: dict[str, Any]
) -> Answer | None:
    """The answer to ``token`` (None: not answered locally)."""
    if token == provider_answers.TOKEN_EVENT_BUS:
        return event_bus(state, args)
    return answers.answer(token, args)
