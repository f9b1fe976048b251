"""Settings.from_env: what each environment variable becomes, its default, and the
message a bad value fails with (the deploy side writes them: eventpipe.contract)."""

from __future__ import annotations

import re

import pytest

from eventpipe import contract
from eventpipe.runtime.settings import SQS_MAX_VISIBILITY, Settings

HANDLER = "orders_plugin.handlers:on_order"


def _env(**values: str) -> dict[str, str]:
    return {contract.ENV_HANDLER: HANDLER, **values}


def test_defaults_of_a_minimal_environment() -> None:
    s = Settings.from_env(_env())
    assert s == Settings(
        handler=HANDLER,
        consumer="orders_plugin.handlers",
        fifo=False,
        source="rule",
        dlq_url=None,
        max_receive_count=None,
        visibility_timeout=None,
        backoff_base=2.0,
        backoff_max=900.0,
        time_scale=1.0,
        idempotency_table=None,
        idempotency_ttl=3600,
    )


def test_every_variable_is_read_and_trimmed() -> None:
    s = Settings.from_env(
        {
            contract.ENV_HANDLER: f"  {HANDLER}  ",
            contract.ENV_CONSUMER: "  orders  ",
            contract.ENV_FIFO: " TRUE ",
            contract.ENV_SOURCE: " Queue ",
            contract.ENV_DLQ_URL: "  https://sqs.eu-west-1.amazonaws.com/1/orders-dlq  ",
            contract.ENV_MAX_RECEIVE_COUNT: " 7 ",
            contract.ENV_VISIBILITY_TIMEOUT: "180",
            contract.ENV_BACKOFF_BASE: "3.5",
            contract.ENV_BACKOFF_MAX: "600",
            contract.ENV_TIME_SCALE: "0.25",
            contract.ENV_IDEMPOTENCY_TABLE: "  idem-table  ",
            contract.ENV_IDEMPOTENCY_TTL: "120",
        }
    )
    assert s.handler == HANDLER
    assert s.consumer == "orders"
    assert s.fifo is True
    assert s.source == "queue"
    assert s.dlq_url == "https://sqs.eu-west-1.amazonaws.com/1/orders-dlq"
    assert s.max_receive_count == 7 and isinstance(s.max_receive_count, int)
    assert s.visibility_timeout == 180 and isinstance(s.visibility_timeout, int)
    assert s.backoff_base == 3.5
    assert s.backoff_max == 600.0
    assert s.time_scale == 0.25
    assert s.idempotency_table == "idem-table"
    assert s.idempotency_ttl == 120 and isinstance(s.idempotency_ttl, int)


def test_consumer_defaults_to_the_handler_module_when_blank() -> None:
    # Only the part before the first ':' names the module.
    s = Settings.from_env(_env(**{contract.ENV_HANDLER: "pkg.mod:fn:extra"}))
    assert s.consumer == "pkg.mod"
    s = Settings.from_env(_env(**{contract.ENV_CONSUMER: ""}))
    assert s.consumer == "orders_plugin.handlers"
    s = Settings.from_env(_env(**{contract.ENV_HANDLER: "pkg mod:fn"}))
    assert s.consumer == "pkg mod"


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", "True", " ON ", "YES"])
def test_fifo_flag_true_values(value: str) -> None:
    assert Settings.from_env(_env(**{contract.ENV_FIFO: value})).fifo is True


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off", "fifo", " "])
def test_fifo_flag_false_values(value: str) -> None:
    assert Settings.from_env(_env(**{contract.ENV_FIFO: value})).fifo is False


@pytest.mark.parametrize("value", ["", "   "])
def test_a_missing_handler_is_refused_naming_the_variable(value: str) -> None:
    env = {} if value == "" else {contract.ENV_HANDLER: value}
    with pytest.raises(ValueError) as caught:
        Settings.from_env(env)
    assert str(caught.value) == (
        f"environment variable {contract.ENV_HANDLER} is not set: it must name the "
        "plugin handler as 'module:function' (the deploy side sets it)"
    )


def test_source_defaults_to_rule_when_blank_and_is_lowercased() -> None:
    assert Settings.from_env(_env(**{contract.ENV_SOURCE: ""})).source == "rule"
    assert Settings.from_env(_env(**{contract.ENV_SOURCE: " TOPIC"})).source == "topic"


def test_an_unknown_source_is_refused_listing_the_choices() -> None:
    with pytest.raises(ValueError) as caught:
        Settings.from_env(_env(**{contract.ENV_SOURCE: "Stream"}))
    assert str(caught.value) == (
        f"{contract.ENV_SOURCE}='stream': expected one of rule, queue, topic"
    )


@pytest.mark.parametrize(
    "key",
    [
        contract.ENV_BACKOFF_BASE,
        contract.ENV_BACKOFF_MAX,
        contract.ENV_TIME_SCALE,
        contract.ENV_MAX_RECEIVE_COUNT,
        contract.ENV_VISIBILITY_TIMEOUT,
        contract.ENV_IDEMPOTENCY_TTL,
    ],
)
def test_a_number_that_is_not_one_is_refused_naming_variable_and_value(key: str) -> None:
    with pytest.raises(ValueError) as caught:
        Settings.from_env(_env(**{key: "ten"}))
    assert str(caught.value) == f"environment variable {key}='ten' is not a number"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize("blank", ["", "  "])
def test_blank_numbers_take_their_defaults(blank: str) -> None:
    s = Settings.from_env(
        _env(
            **{
                contract.ENV_BACKOFF_BASE: blank,
                contract.ENV_BACKOFF_MAX: blank,
                contract.ENV_TIME_SCALE: blank,
                contract.ENV_MAX_RECEIVE_COUNT: blank,
                contract.ENV_VISIBILITY_TIMEOUT: blank,
                contract.ENV_IDEMPOTENCY_TTL: blank,
            }
        )
    )
    assert (s.backoff_base, s.backoff_max, s.time_scale) == (2.0, 900.0, 1.0)
    assert (s.max_receive_count, s.visibility_timeout, s.idempotency_ttl) == (None, None, 3600)


def test_zero_and_negative_numbers_are_clamped() -> None:
    s = Settings.from_env(
        _env(
            **{
                contract.ENV_BACKOFF_BASE: "-3",
                contract.ENV_BACKOFF_MAX: "-5",
                contract.ENV_TIME_SCALE: "-2",
                contract.ENV_IDEMPOTENCY_TTL: "0",
            }
        )
    )
    assert s.backoff_base == 0.0
    assert s.backoff_max == 0.0
    assert s.time_scale == 0.0
    assert s.idempotency_ttl == 3600  # a TTL of 0 would expire every key at once
    s = Settings.from_env(_env(**{contract.ENV_BACKOFF_BASE: "0", contract.ENV_BACKOFF_MAX: "0"}))
    assert (s.backoff_base, s.backoff_max) == (0.0, 0.0)
    s = Settings.from_env(_env(**{contract.ENV_TIME_SCALE: "0"}))
    assert s.time_scale == 0.0


def test_small_positive_numbers_are_kept() -> None:
    s = Settings.from_env(
        _env(
            **{
                contract.ENV_BACKOFF_BASE: "0.5",
                contract.ENV_BACKOFF_MAX: "0.5",
                contract.ENV_TIME_SCALE: "0.5",
                contract.ENV_MAX_RECEIVE_COUNT: "0",
                contract.ENV_VISIBILITY_TIMEOUT: "0",
            }
        )
    )
    assert (s.backoff_base, s.backoff_max, s.time_scale) == (0.5, 0.5, 0.5)
    assert (s.max_receive_count, s.visibility_timeout) == (0, 0)


def test_backoff_cap_is_bounded_by_the_sqs_visibility_limit() -> None:
    s = Settings.from_env(_env(**{contract.ENV_BACKOFF_MAX: str(SQS_MAX_VISIBILITY + 1)}))
    assert s.backoff_max == float(SQS_MAX_VISIBILITY) == 43200.0
    s = Settings.from_env(_env(**{contract.ENV_BACKOFF_MAX: str(SQS_MAX_VISIBILITY - 1)}))
    assert s.backoff_max == 43199.0


def test_blank_strings_become_none() -> None:
    s = Settings.from_env(
        _env(**{contract.ENV_DLQ_URL: "   ", contract.ENV_IDEMPOTENCY_TABLE: "  "})
    )
    assert s.dlq_url is None
    assert s.idempotency_table is None


def test_reads_os_environ_when_no_mapping_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(contract.ENV_HANDLER, HANDLER)
    monkeypatch.setenv(contract.ENV_MAX_RECEIVE_COUNT, "4")
    s = Settings.from_env()
    assert s.handler == HANDLER and s.max_receive_count == 4


def test_the_source_error_names_the_variable() -> None:
    with pytest.raises(ValueError, match=re.escape(contract.ENV_SOURCE + "=")):
        Settings.from_env(_env(**{contract.ENV_SOURCE: "x"}))
