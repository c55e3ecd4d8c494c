"""Firestore access for the editor: unsigned emulator tokens, signed Firebase custom tokens."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from google.auth import jwt
from google.oauth2 import service_account

from shared.adapters.signing import new_private_key_pem, service_account_info
from shared.auth.firebase_tokens import (
    CUSTOM_TOKEN_AUDIENCE,
    custom_token,
    emulator_id_token,
    firestore_access,
)
from shared.errors import ConfigError
from shared.settings import Settings

NOW = datetime.now(UTC)


def _part(token: str, index: int) -> dict[str, object]:
    segment = token.split(".")[index]
    decoded: dict[str, object] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return decoded


def test_emulator_token_names_the_user() -> None:
    token = emulator_id_token("demo-p", "alice", NOW)
    assert _part(token, 0)["alg"] == "none" and token.endswith(".")
    claims = _part(token, 1)
    assert claims["sub"] == claims["user_id"] == "alice"
    assert claims["aud"] == "demo-p"


def test_custom_token_verifies_with_the_signers_public_key() -> None:
    pem = new_private_key_pem()
    email = "fn-auth@demo-tokens.iam.gserviceaccount.com"
    info = service_account_info("demo-tokens", email, pem)
    credentials = service_account.Credentials.from_service_account_info(info)
    token = custom_token(credentials.signer, email, "bob", NOW)
    public = (
        serialization.load_pem_private_key(pem.encode(), password=None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    claims = jwt.decode(token, certs=public, audience=CUSTOM_TOKEN_AUDIENCE)
    assert claims["uid"] == "bob" and claims["iss"] == claims["sub"] == email
    other = serialization.load_pem_private_key(new_private_key_pem().encode(), password=None)
    wrong = other.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(ValueError):
        jwt.decode(token, certs=wrong, audience=CUSTOM_TOKEN_AUDIENCE)
    assert claims["exp"] - claims["iat"] == 3600


def test_emulator_settings_give_an_emulator_token() -> None:
    settings = Settings(
        project_id="demo-p",
        media_bucket="m",
        renders_bucket="r",
        firestore_emulator_host="127.0.0.1:1",
        local_mode=True,
    )
    access = firestore_access(settings, "carol", NOW)
    assert access["project"] == "demo-p" and "custom_token" not in access
    assert _part(access["token"], 1)["user_id"] == "carol"


def test_cloud_settings_give_a_custom_token_and_the_web_app_to_sign_in_with(
    tmp_path: Path,
) -> None:
    email = "fn-auth@demo-tokens.iam.gserviceaccount.com"
    key = tmp_path / "key.json"
    key.write_text(json.dumps(service_account_info("demo-tokens", email, new_private_key_pem())))
    cloud = Settings(project_id="demo-p", media_bucket="m", renders_bucket="r",
                     signing_key_file=key)  # fmt: skip
    with pytest.raises(ConfigError, match="CS_FIREBASE_API_KEY and CS_FIREBASE_APP_ID"):
        firestore_access(cloud, "dave", NOW)
    keyed = dataclasses.replace(cloud, firebase_api_key="AIza-test", firebase_app_id="1:2:web:3")
    access = firestore_access(keyed, "dave", NOW)
    assert (access["api_key"], access["app_id"]) == ("AIza-test", "1:2:web:3")
    assert _part(access["custom_token"], 1)["uid"] == "dave"
