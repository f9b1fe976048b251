"""The preview's refusal of a stack that would exceed an AWS quota during ``pulumi up``.

The counting and the comparison are ``eventpipe.quota_check`` (Pulumi-free); this module
adds what only a running Pulumi program can do: read the ``quotaUsage`` output of the
stacks listed in ``eventpipe:sharedQuotas.stacks`` through ``pulumi.StackReference``
(https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences), so stacks that share
a bus or an account are counted together, and fail the preview with every problem.

Without listed stacks the refusal is immediate, before any resource is declared. With
them, their outputs arrive as Pulumi reads the referenced stacks (during the preview
too), so the refusal is raised from the export that carries this stack's own use: the
preview fails and ``pulumi up`` never starts its updates. A listed stack that exports no
``quotaUsage`` (not deployed yet, or deployed by an eventpipe without it) is a warning:
its use is not counted, which the warning says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from eventpipe.exceptions import ConfigurationError, Problem
from eventpipe.quota_check import StackUsage, check_quotas
from eventpipe.stack_settings import StackSettings

USAGE_OUTPUT = "quotaUsage"
"""The stack output holding :meth:`StackUsage.to_json`: what other stacks read."""


def refuse(problems: Sequence[Problem]) -> None:
    """Fail the preview with every problem (``RunError`` prints the message alone)."""
    if problems:
        raise pulumi.RunError(str(ConfigurationError(list(problems))))


def refuse_beyond_quotas(settings: StackSettings, usage: StackUsage) -> pulumi.Output[Any]:
    """Check the stack's quotas and return what to export as ``quotaUsage``.

    Raises ``pulumi.RunError`` at once when the stack alone exceeds a quota and lists no
    other stacks; with listed stacks, the returned Output fails with the same error once
    their use is read.
    """
    names = settings.shared_quotas.stacks
    if not names:
        refuse(check_quotas(settings, usage))
        return pulumi.Output.from_input(usage.to_json())
    references = [pulumi.StackReference(name) for name in names]
    exported = [reference.get_output(USAGE_OUTPUT) for reference in references]

    def check(values: list[Any]) -> dict[str, Any]:
        siblings: list[StackUsage] = []
        for name, value in zip(names, values, strict=True):
            if not isinstance(value, dict):
                pulumi.log.warn(
                    f"stack {name!r} (eventpipe:sharedQuotas.stacks) exports no "
                    f"{USAGE_OUTPUT}: its use of the shared quotas is not counted. Deploy it "
                    "with this eventpipe first, or remove it from the list and declare its "
                    "figures (eventpipe:sharedQuotas: {rules: N, iamRoles: N, ...})"
                )
                continue
            siblings.append(StackUsage.from_json(value))
        refuse(check_quotas(settings, usage, siblings))
        return usage.to_json()

    return pulumi.Output.all(*exported).apply(check)
