"""The one boto3 client factory and the one set of fake credentials."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ProfileNotFound

from eventpipe import aws_clients
from eventpipe.aws_clients import FAKE_CREDENTIALS


@pytest.fixture(autouse=True)
def no_aws_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)


def test_the_environment_carries_the_same_fake_credentials() -> None:
    env = aws_clients.fake_credentials_environment()
    assert env["AWS_ACCESS_KEY_ID"] == FAKE_CREDENTIALS["aws_access_key_id"]
    assert env["AWS_SECRET_ACCESS_KEY"] == FAKE_CREDENTIALS["aws_secret_access_key"]
    assert env["AWS_SESSION_TOKEN"] == env["AWS_SECURITY_TOKEN"]
    assert env["AWS_SESSION_TOKEN"] == FAKE_CREDENTIALS["aws_session_token"]


def test_fixed_credentials_win_over_the_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Real credentials (the environment's profile) never reach an emulator."""
    credentials = tmp_path / "credentials"
    credentials.write_text("[real]\naws_access_key_id = AKIAREAL\naws_secret_access_key = s\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_PROFILE", "real")
    real = aws_clients.session(profile="real").get_credentials().get_frozen_credentials()
    assert real.access_key == "AKIAREAL"
    session = aws_clients.session(region="eu-west-1", credentials=FAKE_CREDENTIALS)
    frozen = session.get_credentials().get_frozen_credentials()
    assert (frozen.access_key, frozen.secret_key, frozen.token) == ("testing",) * 3
    assert session.region_name == "eu-west-1"


def test_an_unknown_profile_is_botocores_error() -> None:
    with pytest.raises(ProfileNotFound):
        aws_clients.session(profile="no-such-profile")


def test_a_client_goes_to_its_endpoint_in_its_region() -> None:
    sqs = aws_clients.client(
        "sqs", region="eu-west-1", endpoint_url="http://127.0.0.1:9", credentials=FAKE_CREDENTIALS
    )
    assert sqs.meta.endpoint_url == "http://127.0.0.1:9"
    assert sqs.meta.region_name == "eu-west-1"
    default = aws_clients.client("sqs", region="eu-west-1", credentials=FAKE_CREDENTIALS)
    assert default.meta.endpoint_url == "https://sqs.eu-west-1.amazonaws.com"
