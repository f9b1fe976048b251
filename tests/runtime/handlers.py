"""Plugin handlers the runtime tests load by name (``tests.runtime.handlers:...``).

They record what they received in ``CALLS`` so tests can assert on arguments and on how
many times a handler actually ran.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from eventpipe.runtime import Event, PermanentError, RecordInfo, RetryableError

CALLS: list[Any] = []


class OrderCreated(BaseModel):
    order_id: str = Field(alias="orderId")
    amount: float = Field(gt=0)


class OrderCancelled(BaseModel):
    order_id: str = Field(alias="orderId")
    reason: str


def typed(event: Event[OrderCreated]) -> None:
    CALLS.append(event)


def typed_with_record(event: Event[OrderCreated], record: RecordInfo) -> None:
    CALLS.append((event, record))


def untyped(event) -> None:  # type: ignore[no-untyped-def]
    CALLS.append(event)


def bare_event(event: Event) -> None:  # type: ignore[type-arg]
    CALLS.append(event)


def detail_only(detail: OrderCreated) -> None:
    CALLS.append(detail)


def union(event: Event[OrderCreated | OrderCancelled], info: RecordInfo) -> None:
    CALLS.append(event.detail)


def body_model(body: OrderCreated, record: RecordInfo) -> None:
    CALLS.append((body, record))


def body_any(body) -> None:  # type: ignore[no-untyped-def]
    CALLS.append(body)


def noop(event: Event[OrderCreated]) -> None:
    return None


def by_order_id(event: Event[dict[str, Any]]) -> None:
    """Outcome chosen by the order id: ``retry-*``, ``perm-*``, ``boom-*``, else success."""
    order_id = str(event.detail.get("orderId", ""))
    CALLS.append(order_id)
    if order_id.startswith("retry"):
        raise RetryableError(f"dependency busy for {order_id}")
    if order_id.startswith("perm"):
        raise PermanentError(f"order {order_id} can never be processed")
    if order_id.startswith("boom"):
        raise KeyError(order_id)


def body_by_text(body) -> None:  # type: ignore[no-untyped-def]
    CALLS.append(body)
    if body == "perm":
        raise PermanentError("permanent body")


def flaky_once(event: Event[dict[str, Any]]) -> None:
    """Fails the first time it sees an order id, succeeds afterwards."""
    order_id = event.detail["orderId"]
    CALLS.append(order_id)
    if CALLS.count(order_id) == 1:
        raise RetryableError("first attempt fails")


def write_to_table(event: Event[dict[str, Any]]) -> None:
    """Writes the order into the table named by TEST_TABLE (a plugin's own resource)."""
    import os

    import boto3

    boto3.client("dynamodb").put_item(
        TableName=os.environ["TEST_TABLE"], Item={"pk": {"S": event.detail["orderId"]}}
    )


def capture_environment(event: Any) -> None:
    """Record the function environment the handler runs with (deploy/test kit parity)."""
    import os

    CALLS.append(dict(os.environ))


def declare_plugin_env(ctx: Any) -> Any:
    """A ``resources`` hook that only sets a variable, for the environment parity test."""
    from eventpipe import ConsumerResources

    return ConsumerResources(environment={"PLUGIN_VAR": "from-the-plugin"})


def always_permanent(body) -> None:  # type: ignore[no-untyped-def]
    """Dead-letters every record (direct-queue body handler)."""
    CALLS.append(body)
    raise PermanentError("this record can never be processed")


def long_permanent(body) -> None:  # type: ignore[no-untyped-def]
    """Raises a PermanentError whose message is far past the DLQ reason limit."""
    raise PermanentError("why " * 2000)


def always_retry(body) -> None:  # type: ignore[no-untyped-def]
    CALLS.append(body)
    raise RetryableError("still busy")


def log_with_powertools(event: Event[dict[str, Any]]) -> None:
    """Logs one line with a Powertools logger of the consumer's service (the test names
    it in ``EVENTPIPE_TEST_SERVICE``), as a plugin may."""
    import os

    from aws_lambda_powertools import Logger

    Logger(service=os.environ["EVENTPIPE_TEST_SERVICE"]).info("the plugin's own line")
