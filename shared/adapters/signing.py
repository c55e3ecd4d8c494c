"""Who signs GCS v4 URLs, and which headers a signed upload binds.

Three identities, chosen by ``signer_from_settings``:
- a service-account key file (Settings.signing_key_file);
- on Google Cloud without a key: the runtime's own service account through IAM signBlob (it
  needs Service Account Token Creator on itself);
- with the storage emulator and no key file: a throwaway RSA key made once per process. The
  emulator checks no signatures; the key only lets the real signing code run offline.
The API client stays anonymous with the emulator: signing credentials go to
``generate_signed_url`` only, or the client would try to fetch an OAuth token from the internet.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol

import google.auth
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.transport.requests import Request
from google.oauth2 import service_account

from shared.errors import ConfigError
from shared.settings import Settings

CONTENT_LENGTH_RANGE = "x-goog-content-length-range"
_CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"


def upload_headers(content_type: str, size_bytes: int) -> dict[str, str]:
    """The headers a signed PUT binds and the uploader must send verbatim.

    GCS refuses the upload if Content-Type differs or the body is not exactly ``size_bytes``.
    """
    return {"Content-Type": content_type, CONTENT_LENGTH_RANGE: f"{size_bytes},{size_bytes}"}


class Signer(Protocol):
    def signing_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``Blob.generate_signed_url`` that make it sign."""
        ...


class KeySigner:
    """Signs locally with a service-account private key."""

    def __init__(self, credentials: service_account.Credentials) -> None:
        self.credentials = credentials

    @property
    def email(self) -> str:
        email: str = self.credentials.service_account_email
        return email

    def signing_kwargs(self) -> dict[str, Any]:
        return {"credentials": self.credentials}


class IamSigner:
    """Signs through IAM signBlob as the runtime's service account (Cloud Functions, Cloud Run)."""

    def __init__(self) -> None:
        self._credentials: Any = None

    def signing_kwargs(self) -> dict[str, Any]:
        if self._credentials is None:
            self._credentials, _ = google.auth.default(scopes=[_CLOUD_PLATFORM])
        if not self._credentials.valid:
            self._credentials.refresh(Request())
        return {
            "service_account_email": self._credentials.service_account_email,
            "access_token": self._credentials.token,
        }


def key_signer_from_file(path: str) -> KeySigner:
    try:
        credentials = service_account.Credentials.from_service_account_file(path)  # type: ignore[no-untyped-call]
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"CS_SIGNING_KEY_FILE={path}: not a service-account key ({exc})"
        ) from None
    return KeySigner(credentials)


def service_account_info(project_id: str, email: str, private_key_pem: str) -> dict[str, str]:
    """The JSON of a service-account key file, for a key made here rather than by IAM."""
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": "local",
        "private_key": private_key_pem,
        "client_email": email,
        "client_id": "0",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


def new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@functools.cache
def throwaway_signer(project_id: str) -> KeySigner:
    """A signer with a fresh RSA key, made once per process (local stack and tests only)."""
    email = f"local-signer@{project_id}.iam.gserviceaccount.com"
    info = service_account_info(project_id, email, new_private_key_pem())
    credentials = service_account.Credentials.from_service_account_info(info)  # type: ignore[no-untyped-call]
    return KeySigner(credentials)


def signer_from_settings(settings: Settings) -> Signer:
    if settings.signing_key_file is not None:
        return key_signer_from_file(str(settings.signing_key_file))
    if settings.storage_emulator_host is not None:
        return throwaway_signer(settings.project_id)
    return IamSigner()
