"""What a signed upload URL binds, checked by verifying its v4 signature like GCS does.

The GCS emulator accepts any signature, so this test plays the server: it rebuilds the canonical
request from the URL plus the headers a client sends and verifies the RSA signature with the
signer's public key. A URL that did not bind the content type or size would still verify with a
different type or size; that is the bug (salesforce/multicloudj #468) this test catches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from google.auth.credentials import AnonymousCredentials
from google.cloud.storage import Client as StorageClient
from google.oauth2 import service_account

from shared.adapters.gcs_blobs import GcsBlobStore
from shared.adapters.signing import (
    IamSigner,
    KeySigner,
    new_private_key_pem,
    service_account_info,
    signer_from_settings,
    throwaway_signer,
    upload_headers,
)
from shared.errors import ConfigError
from shared.settings import Settings

PROJECT = "demo-signing"
EMAIL = f"signer@{PROJECT}.iam.gserviceaccount.com"
PEM = new_private_key_pem()
PUBLIC_KEY = serialization.load_pem_private_key(PEM.encode(), password=None).public_key()
SIGNER = KeySigner(
    service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
        service_account_info(PROJECT, EMAIL, PEM)
    )
)


def verify_v4(url: str, method: str, sent_headers: Mapping[str, str]) -> None:
    """Raise InvalidSignature unless ``url`` is a valid v4 signature for this request."""
    parts = urlsplit(url)
    pairs = parts.query.split("&")
    signature = next(p for p in pairs if p.startswith("X-Goog-Signature=")).split("=", 1)[1]
    canonical_query = "&".join(sorted(p for p in pairs if not p.startswith("X-Goog-Signature=")))
    query = parse_qs(parts.query)
    signed_names = query["X-Goog-SignedHeaders"][0]
    headers = {k.lower(): " ".join(v.split()) for k, v in sent_headers.items()}
    headers["host"] = parts.netloc
    canonical_headers = "".join(
        f"{name}:{headers.get(name, '')}\n" for name in signed_names.split(";")
    )
    canonical_request = "\n".join(
        [method, parts.path, canonical_query, canonical_headers, signed_names, "UNSIGNED-PAYLOAD"]
    )
    scope = query["X-Goog-Credential"][0].split("/", 1)[1]
    string_to_sign = "\n".join(
        [
            "GOOG4-RSA-SHA256",
            query["X-Goog-Date"][0],
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    assert isinstance(PUBLIC_KEY, rsa.RSAPublicKey)
    PUBLIC_KEY.verify(
        bytes.fromhex(signature), string_to_sign.encode(), padding.PKCS1v15(), hashes.SHA256()
    )


@pytest.fixture
def blobs() -> GcsBlobStore:
    client = StorageClient(project=PROJECT, credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
    return GcsBlobStore(client, "media", SIGNER, default_ttl_s=900)


def test_upload_headers_bind_type_and_exact_size() -> None:
    assert upload_headers("image/png", 1234) == {
        "Content-Type": "image/png",
        "x-goog-content-length-range": "1234,1234",
    }


def test_signed_put_verifies_only_with_the_signed_type_and_size(blobs: GcsBlobStore) -> None:
    signed = blobs.signed_put_url("uploads/u1/a.png", "image/png", 1234)
    assert signed.method == "PUT"

    verify_v4(signed.url, "PUT", signed.headers)
    tampered: list[tuple[str, dict[str, str]]] = [
        ("PUT", {**signed.headers, "Content-Type": "text/html"}),
        ("PUT", {**signed.headers, "x-goog-content-length-range": "0,999999999"}),
        ("PUT", {"Content-Type": "image/png"}),  # size header dropped
        ("GET", dict(signed.headers)),
    ]
    for method, headers in tampered:
        with pytest.raises(InvalidSignature):
            verify_v4(signed.url, method, headers)
    other_object = signed.url.replace("/a.png?", "/b.png?")
    with pytest.raises(InvalidSignature):
        verify_v4(other_object, "PUT", signed.headers)


def test_signed_get_verifies_and_expires_as_asked(blobs: GcsBlobStore) -> None:
    url = blobs.signed_get_url("renders/j1/attempt-1.mp4", ttl_s=120, download_name="ad.mp4")
    verify_v4(url, "GET", {})
    query = parse_qs(urlsplit(url).query)
    assert query["X-Goog-Expires"] == ["120"]
    assert query["response-content-disposition"] == ['attachment; filename="ad.mp4"']


def test_signer_choice_follows_settings(tmp_path: Path) -> None:
    base = {"GOOGLE_CLOUD_PROJECT": PROJECT}
    emulated = Settings.from_env({**base, "STORAGE_EMULATOR_HOST": "http://127.0.0.1:1"})
    assert signer_from_settings(emulated) is throwaway_signer(PROJECT)  # made once per process
    assert isinstance(signer_from_settings(Settings.from_env(base)), IamSigner)

    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(service_account_info(PROJECT, EMAIL, PEM)))
    from_file = signer_from_settings(
        Settings.from_env({**base, "CS_SIGNING_KEY_FILE": str(key_file)})
    )
    assert isinstance(from_file, KeySigner)
    assert from_file.email == EMAIL

    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ConfigError, match="bad.json"):
        signer_from_settings(
            Settings.from_env({**base, "CS_SIGNING_KEY_FILE": str(tmp_path / "bad.json")})
        )
