"""The bucket-policy condition check the shim uses (moto's finds any Bool test true)."""

from __future__ import annotations

from eventpipe.local.emulator.shims.bucket_policy import REQUEST_CONTEXT, conditions_hold


def test_tls_only_deny_does_not_apply_to_tls_requests() -> None:
    deny_plain_http = {"Bool": {"aws:SecureTransport": "false"}}
    assert not conditions_hold(deny_plain_http, REQUEST_CONTEXT)
    assert conditions_hold({"Bool": {"aws:SecureTransport": ["true"]}}, REQUEST_CONTEXT)


def test_unknown_keys_and_operators_do_not_hold() -> None:
    assert not conditions_hold({"StringEquals": {"aws:SourceAccount": "1"}}, REQUEST_CONTEXT)
    assert not conditions_hold({"IpAddress": {"aws:SecureTransport": "true"}}, REQUEST_CONTEXT)
