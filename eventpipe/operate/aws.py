"""boto3 clients for a :class:`~eventpipe.operate.stack_outputs.StackTarget`, and AWS errors made actionable.

Every command's clients come from one :class:`Aws` per target, built by
:mod:`eventpipe.aws_clients`, so ``--profile``, ``--region``, ``--endpoint-url`` and the
local emulator's fixed credentials apply to all commands alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from eventpipe import aws_clients
from eventpipe.operate.exceptions import CredentialsError, NotSupportedError, OperateError
from eventpipe.operate.stack_outputs import StackTarget


@dataclass
class Aws:
    """Lazily created, cached clients for one target."""

    target: StackTarget
    profile: str | None = None
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _session: Any = field(default=None, repr=False)

    @property
    def session(self) -> Any:
        if self._session is None:
            from botocore.exceptions import ProfileNotFound

            try:
                # A local target carries the emulator's fixed credentials, which win over
                # --profile, so real credentials never reach the emulator.
                self._session = aws_clients.session(
                    region=self.target.region,
                    profile=self.profile,
                    credentials=self.target.credentials or None,
                )
            except ProfileNotFound as exc:
                raise CredentialsError(
                    f"{exc}. List your profiles with `aws configure list-profiles`, or "
                    "create one with `aws configure --profile NAME`"
                ) from None
        return self._session

    def client(self, service: str) -> Any:
        """A client for ``service`` at the target's endpoint and region."""
        if service not in self._clients:
            self._clients[service] = aws_clients.client(
                service, endpoint_url=self.target.endpoint_url, from_session=self.session
            )
        return self._clients[service]


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


@contextmanager
def aws_errors(target: StackTarget | None = None) -> Iterator[None]:
    """Turn the botocore errors an operator can fix into :class:`OperateError`."""
    from botocore.exceptions import (
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    try:
        yield
    except (NoCredentialsError, PartialCredentialsError):
        raise CredentialsError(
            "no AWS credentials found. Set them up with `aws configure` (or `aws sso login "
            "--profile NAME`), then run again with --profile NAME or AWS_PROFILE=NAME; "
            "for the local emulator use --local with `eventpipe dev` running"
        ) from None
    except NoRegionError:
        raise OperateError(
            "no AWS region: pass --region, set AWS_REGION, or deploy the stack so its "
            "outputs carry the region"
        ) from None
    except EndpointConnectionError as exc:
        raise OperateError(
            f"cannot reach {exc.kwargs.get('endpoint_url', 'the endpoint')}: check "
            "--endpoint-url, or that `eventpipe dev` is still running"
        ) from None
    except NotImplementedError as exc:  # moto in-process: an API it does not emulate
        where = target.endpoint_url if target and target.endpoint_url else "this endpoint"
        raise NotSupportedError(f"{where} does not implement this API ({exc})") from None


def is_unimplemented(exc: BaseException, target: StackTarget) -> bool:
    """Whether a ClientError means an emulator lacks the API (moto answers HTTP 500 with
    an HTML page). Only trusted for custom endpoints: AWS itself implements them all."""
    if not target.endpoint_url:
        return False
    response = getattr(exc, "response", None) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status in (404, 500, 501) and error_code(exc) in ("", "500", "404", "501")
