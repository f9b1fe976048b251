"""S3 bucket policies: a statement applies only when its conditions hold, and requests
arrive over TLS.

IAM's policy grammar: a statement with a ``Condition`` element applies only when the
request's context satisfies it ("IAM JSON policy elements: Condition",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
``aws:SecureTransport`` is ``true`` when the request was sent over TLS ("AWS global
condition context keys", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport);
the SDKs call AWS over HTTPS, so the dead-letter archive's "deny without TLS" statement
never applies to the archiver or to ``eventpipe dlq``.

moto 5.2 evaluates a bucket's policy on object requests without any request context and
treats a statement whose condition does not hold as an explicit deny, so that statement
(``Deny`` ``s3:*`` when ``aws:SecureTransport`` is ``false``) refuses every PutObject with
403. The embedded emulator is plain HTTP only because it runs in-process in place of AWS's
HTTPS endpoints; the shim evaluates bucket policies with ``aws:SecureTransport`` ``true``
and skips (rather than denies on) a statement whose condition does not hold (its own
condition check also finds a ``Bool`` test true whatever the value). Conditions
on other keys have no value locally, so such statements are skipped too: permissions are
not enforced locally (docs/local.md).
"""

from __future__ import annotations

import json
from typing import Any

from eventpipe.local.emulator.shims.scope import install

REQUEST_CONTEXT = {"aws:SecureTransport": "true"}
"""The request context the bucket policy is evaluated against."""


def conditions_hold(condition: dict[str, Any], context: dict[str, str]) -> bool:
    """Whether every test of a ``Condition`` element holds for ``context``: ``Bool``,
    ``StringEquals`` and ``StringNotEquals`` (a key without a value in the context, or
    another operator, does not hold). moto 5.2's own check gives ``true`` for a ``Bool``
    test whatever the value, hence this one."""
    for operator, tests in condition.items():
        for key, expected in (tests or {}).items():
            values = [str(v) for v in (expected if isinstance(expected, list) else [expected])]
            actual = context.get(key)
            if actual is None:
                return False
            if operator == "Bool":
                if actual.lower() not in [v.lower() for v in values]:
                    return False
            elif operator == "StringEquals":
                if actual not in values:
                    return False
            elif operator == "StringNotEquals":
                if actual in values:
                    return False
            else:
                return False
    return True


def bucket_policy_conditions() -> None:
    """Patch moto's ``FakeBucket.get_permission`` (see the module docstring)."""
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: Any, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy.decode())
        statements = document.get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        permitted = False
        for statement in statements:
            condition = statement.get("Condition")
            if condition and not conditions_hold(condition, REQUEST_CONTEXT):
                continue  # the statement does not apply to this request
            plain = {k: v for k, v in statement.items() if k != "Condition"}
            result = IAMPolicyStatement(plain).is_action_permitted(action, resource)
            if result == PermissionResult.DENIED:
                return result
            permitted = permitted or result == PermissionResult.PERMITTED
        return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL

    install(FakeBucket, "get_permission", get_permission)
