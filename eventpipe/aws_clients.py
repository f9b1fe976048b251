"""The one way eventpipe builds boto3 sessions and clients, and its one set of fake
credentials.

Operator commands (``eventpipe.operate.aws``), the local engine's emulator
(``eventpipe.local.emulator.server``) and the test kit (``eventpipe.testing``) all build
their clients here, so a profile, a region, an endpoint or the fake credentials apply
alike everywhere. boto3 is imported only when a session is made.

Example::

    sqs = client("sqs", region="eu-west-1", endpoint_url=url, credentials=FAKE_CREDENTIALS)
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

FAKE_CREDENTIALS: Mapping[str, str] = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "aws_session_token": "testing",
}
"""What an emulator (moto, the embedded server) accepts; never real credentials, so a
client made with them cannot act on an AWS account. Keys are ``boto3.Session``'s
arguments."""


def fake_credentials_environment() -> dict[str, str]:
    """:data:`FAKE_CREDENTIALS` as the environment variables an AWS SDK reads, for a child
    process or code that builds its own clients (the Lambda runtime under test).
    ``AWS_SECURITY_TOKEN`` is the older name of the session token some SDKs still read."""
    token = FAKE_CREDENTIALS["aws_session_token"]
    return {
        "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["aws_secret_access_key"],
        "AWS_SESSION_TOKEN": token,
        "AWS_SECURITY_TOKEN": token,
    }


def session(
    *,
    region: str | None = None,
    profile: str | None = None,
    credentials: Mapping[str, str] | None = None,
) -> Any:
    """A boto3 session: with fixed ``credentials`` (an emulator's, which win over any
    profile, so real credentials never reach it), else boto3's usual chain for
    ``profile``. Raises botocore's ``ProfileNotFound`` for an unknown profile (``profile``
    or ``AWS_PROFILE``)."""
    import boto3

    if credentials:
        return boto3.Session(
            aws_access_key_id=credentials.get("aws_access_key_id"),
            aws_secret_access_key=credentials.get("aws_secret_access_key"),
            aws_session_token=credentials.get("aws_session_token"),
            region_name=region,
            botocore_session=_botocore_session(),
        )
    return boto3.Session(
        profile_name=profile, region_name=region, botocore_session=_botocore_session(profile)
    )


def _botocore_session(profile: str | None = None) -> Any:
    """A new botocore session that reads botocore's data files through the process's one
    loader. Each session otherwise parses the endpoint and service model JSON again:
    about 130 ms of CPU per client against about 20 ms with the loader shared (measured
    with ten services, benchmarks/README.md, "Test suite"). The loader only reads files
    and caches what it parsed, as it does for every client of one session.

    An unknown ``profile`` (or ``AWS_PROFILE``) raises ``ProfileNotFound`` here, as a
    session that makes its own loader does when it reads its config for it."""
    import botocore.session

    made = botocore.session.get_session()
    if profile is not None:
        made.set_config_variable("profile", profile)
    made.get_scoped_config()
    made.register_component("data_loader", _data_loader())
    return made


@functools.cache
def _data_loader() -> Any:
    """The loader a default botocore session makes (so ``AWS_DATA_PATH`` still counts)."""
    import botocore.session

    return botocore.session.get_session().get_component("data_loader")


def client(
    service: str,
    *,
    region: str | None = None,
    endpoint_url: str | None = None,
    credentials: Mapping[str, str] | None = None,
    config: Any = None,
    from_session: Any = None,
) -> Any:
    """A boto3 client for ``service`` at ``endpoint_url`` (None: AWS itself), from
    ``from_session`` or a new :func:`session` with ``region`` and ``credentials``."""
    made = from_session or session(region=region, credentials=credentials)
    return made.client(service, endpoint_url=endpoint_url, config=config)
