"""Values the AWS provider or AWS itself refuses, found before a preview declares anything.

pulumi-aws checks some values only when the engine asks it about one resource, and AWS
others only when the API is called: a stack that resolves cleanly would then fail in the
middle of ``pulumi up``, with some resources changed and others not. Each check here names
the ``eventpipe:`` key (or the consumer and field), the rule with its source, and the fix,
and :mod:`eventpipe.resolve` reports them with every other problem at once.

Checks that depend on where the program deploys (a placeholder address the emulator takes
and AWS never delivers to) run only when ``StackSettings.target`` is ``"aws"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from eventpipe.consumer import Consumer
from eventpipe.exceptions import Problem
from eventpipe.stack_settings import NAMESPACE, STACK_CONFIG, StackSettings

BUS_NAME = re.compile(r"[/\.\-_A-Za-z0-9]+")
"""CreateEventBus ``Name``: "Length Constraints: Minimum length of 1. Maximum length of
256. Pattern: ``[/\\.\\-_A-Za-z0-9]+``"; "Custom event bus names can't contain the ``/``
character ... You can't use the name ``default`` for a custom event bus"
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html).
terraform-provider-aws refuses ``default`` in its own validator
(``internal/service/events/validate.go``, ``validCustomEventBusName``)."""
BUS_NAME_MAX = 256
SCHEMA_NAME_START = re.compile(r"^[\.\-_A-Za-z@]")
"""terraform-provider-aws ``aws_schemas_schema.name``:
``validation.StringMatch(regexp.MustCompile(`^[\\.\\-_A-Za-z@]+`), "")``, anchored at the
start only, so it refuses a name whose first character is a digit
(``internal/service/schemas/schema.go``). eventpipe names a consumer's schema
``<consumer>@<Model>`` (``components/schemas.py``)."""
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAGS_PER_RESOURCE = 50
RESERVED_TAG_PREFIX = "aws:"
"""Tag restrictions AWS states for its services: "Maximum number of tags per resource -
50", "Maximum key length - 128 Unicode characters in UTF-8", "Maximum value length - 256",
"Do not use aws:, AWS:, or any upper or lowercase combination of such as a prefix for
either keys or values as it is reserved" (ECS ``Tag``, as published in the AWS SDK for
.NET reference, https://docs.aws.amazon.com/sdkfornet/v3/apidocs/items/ECS/TTag.html)."""
EVENTPIPE_TAGS = 3
"""Tags eventpipe adds to a consumer's resources (``eventpipe:stack``, ``:consumer``,
``:plugin``: ``components/naming.py``)."""
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_TLDS = ("example", "invalid", "localhost", "test")
"""Names reserved for documentation and tests (RFC 2606, https://www.rfc-editor.org/info/rfc2606,
and RFC 6761): nobody owns a mailbox there."""


def reserved_domain(address: str) -> bool:
    """Whether an e-mail address is at a domain reserved for examples (no mailbox exists)."""
    domain = address.rsplit("@", 1)[-1].lower().rstrip(".")
    if any(domain == d or domain.endswith("." + d) for d in RESERVED_DOMAINS):
        return True
    return domain.rsplit(".", 1)[-1] in RESERVED_TLDS


def _problem(key: str, message: str, fix: str) -> Problem:
    return Problem(STACK_CONFIG, None, f"{NAMESPACE}:{key}", message, fix)


def bus_name_problems(settings: StackSettings) -> list[Problem]:
    """``busName`` as CreateEventBus (``createBus: true``) or the rules (false) take it."""
    name = settings.bus_name
    if name is None or name.startswith("arn:"):
        return []
    if not (1 <= len(name) <= BUS_NAME_MAX and BUS_NAME.fullmatch(name)):
        return [
            _problem(
                "busName",
                f"{name!r} is no event bus name: EventBridge takes 1-{BUS_NAME_MAX} letters, "
                "digits and . - _ (and / for partner buses) (CreateEventBus)",
                "rename the bus in Pulumi.<stack>.yaml, e.g. `eventpipe:busName: shop-events`",
            )
        ]
    if not settings.create_bus:
        return []
    if name == "default":
        return [
            _problem(
                "busName",
                "'default' is the account's own bus: EventBridge refuses it as the name of a "
                "bus to create (CreateEventBus), and so does the provider",
                "use the account's default bus with `eventpipe:createBus: false`, or give "
                "the stack's own bus another name",
            )
        ]
    if "/" in name:
        return [
            _problem(
                "busName",
                f"{name!r} contains '/': only partner event buses may (CreateEventBus)",
                "drop the '/' (e.g. use '-'), or use an existing partner bus with "
                "`eventpipe:createBus: false`",
            )
        ]
    return []


def tag_problems(settings: StackSettings) -> list[Problem]:
    """``eventpipe:tags`` within what AWS accepts on every resource they go on."""
    problems: list[Problem] = []
    for key, value in settings.tags.items():
        if key.lower().startswith(RESERVED_TAG_PREFIX):
            problems.append(
                _problem(f"tags.{key}", "tag keys starting with 'aws:' are AWS's own",
                         "rename the tag key")
            )  # fmt: skip
        if len(key) > TAG_KEY_MAX:
            problems.append(
                _problem(f"tags.{key[:20]}...", f"tag key is over {TAG_KEY_MAX} characters",
                         "shorten the tag key")
            )  # fmt: skip
        if len(str(value)) > TAG_VALUE_MAX:
            problems.append(
                _problem(f"tags.{key}", f"tag value is over {TAG_VALUE_MAX} characters",
                         "shorten the tag value")
            )  # fmt: skip
    if len(settings.tags) + EVENTPIPE_TAGS > TAGS_PER_RESOURCE:
        room = TAGS_PER_RESOURCE - EVENTPIPE_TAGS
        problems.append(
            _problem("tags", f"{len(settings.tags)} tags: a resource takes "
                     f"{TAGS_PER_RESOURCE}, and eventpipe adds {EVENTPIPE_TAGS}",
                     f"keep at most {room} tags")
        )  # fmt: skip
    return problems


def alarm_email_problems(settings: StackSettings) -> list[Problem]:
    """An alarm address nobody can confirm, on a stack deployed to AWS.

    SNS sends to an e-mail endpoint only after its owner confirms the subscription ("If
    the endpoint type is HTTP/S or email ... the endpoint owner must run the
    ConfirmSubscription action", SNS ``Subscribe``,
    https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html); at a reserved domain
    there is no owner, so no alarm would ever reach anyone. The local engine sends no
    e-mail, so the demo stacks' placeholder works there.
    """
    email = settings.alarm_email
    if settings.target != "aws" or not email or not reserved_domain(email):
        return []
    return [
        _problem(
            "alarmEmail",
            f"{email!r} is a placeholder at a reserved domain (RFC 2606): SNS delivers to "
            "an e-mail address only once its owner confirms the subscription, and nobody "
            "can, so no alarm would reach anyone",
            f"set your team's address in Pulumi.{settings.stack}.yaml "
            "(`eventpipe:alarmEmail: oncall@your-domain`), or remove the key",
        )
    ]


def stack_problems(settings: StackSettings) -> list[Problem]:
    """Every stack-level value the provider or AWS would refuse."""
    return bus_name_problems(settings) + tag_problems(settings) + alarm_email_problems(settings)


def consumer_problems(
    plugin: str, consumer: Consumer, settings: StackSettings, handler: Callable[..., Any] | None
) -> list[Problem]:
    """A consumer's values the provider refuses given the stack's settings. ``handler`` is
    the imported handler: only one that declares a detail model gets a schema published
    (``components/schema_registry.py``)."""
    from eventpipe.runtime.introspect import detail_model

    problems = environment_problems(plugin, consumer, settings)
    if (
        settings.publish_schemas
        and consumer.pattern is not None
        and not SCHEMA_NAME_START.match(consumer.name)
        and handler is not None
        and detail_model(handler) is not None
    ):
        problems.append(
            Problem(
                plugin,
                consumer.name,
                "name",
                f"{consumer.name!r} starts with a digit, and its event schema "
                f"'{consumer.name}@<Model>' would too: the provider refuses a schema name "
                "that does not start with a letter, '.', '-', '_' or '@'",
                "start the consumer name with a letter, or stop publishing schemas with "
                "`eventpipe:publishSchemas: false`",
            )
        )
    return problems


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def environment_problems(plugin: str, consumer: Consumer, settings: StackSettings) -> list[Problem]:
    """An e-mail address at a reserved domain in a consumer's environment, on AWS.

    SES sends only from an identity whose owner verified it ("Before you can send an email
    using Amazon SES, you must create and verify each identity",
    https://docs.aws.amazon.com/ses/latest/dg/verify-addresses-and-domains.html), and nobody
    can click a link sent to, or publish DNS for, a domain reserved by RFC 2606: every
    message would be dead-lettered. The emulator verifies nothing, so the demo stacks'
    placeholders work locally.
    """
    if settings.target != "aws":
        return []
    return [
        Problem(
            plugin,
            consumer.name,
            f"environment.{key}",
            f"{value!r} is a placeholder at a reserved domain (RFC 2606): AWS can never "
            "verify it, so nothing would be sent from or to it",
            f"set a real address in Pulumi.{settings.stack}.yaml: "
            f"`eventpipe:consumers: {{{consumer.name}: {{environment: {{{key}: ...}}}}}}`",
        )
        for key, value in sorted(consumer.environment.items())
        if isinstance(value, str) and EMAIL.fullmatch(value) and reserved_domain(value)
    ]


__all__ = [
    "BUS_NAME",
    "SCHEMA_NAME_START",
    "alarm_email_problems",
    "bus_name_problems",
    "consumer_problems",
    "environment_problems",
    "reserved_domain",
    "stack_problems",
    "tag_problems",
]
