"""What a signed-in browser needs to read its own jobs from Firestore under firestore.rules.

- Local (the emulator): an unsigned ID token (``alg: none``) for the user, which the emulator
  accepts as that user (notes §7.4). The editor passes it as ``mockUserToken``.
- Google Cloud: a Firebase custom token (uid = our user id), signed as the function's service
  account (a key file, or IAM signBlob, which needs Service Account Token Creator on itself).
  The editor exchanges it with ``signInWithCustomToken``; the rules then see ``request.auth.uid``.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

import google.auth
from google.auth import crypt, iam, jwt
from google.auth.transport.requests import Request
from google.oauth2 import service_account

from shared.errors import ConfigError
from shared.settings import Settings

TOKEN_TTL_S = 3600  # the longest a custom token may live
CUSTOM_TOKEN_AUDIENCE = (
    "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit"
)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def emulator_id_token(project_id: str, uid: str, now: datetime) -> str:
    """An unsigned Firebase ID token for ``uid``: only the Firestore emulator accepts it."""
    issued = int(now.timestamp())
    claims = {
        "iss": f"https://securetoken.google.com/{project_id}",
        "aud": project_id,
        "sub": uid,
        "user_id": uid,
        "iat": issued,
        "exp": issued + TOKEN_TTL_S,
        "auth_time": issued,
        "firebase": {"sign_in_provider": "custom", "identities": {}},
    }
    return f"{_b64({'alg': 'none', 'kid': 'fakekid', 'typ': 'JWT'})}.{_b64(claims)}."


def custom_token(signer: crypt.Signer, signer_email: str, uid: str, now: datetime) -> str:
    """A Firebase custom token for ``uid``, signed RS256 by ``signer_email``'s key."""
    issued = int(now.timestamp())
    payload = {
        "iss": signer_email,
        "sub": signer_email,
        "aud": CUSTOM_TOKEN_AUDIENCE,
        "iat": issued,
        "exp": issued + TOKEN_TTL_S,
        "uid": uid,
    }
    token: bytes = jwt.encode(signer, payload)  # type: ignore[no-untyped-call]
    return token.decode()


def default_signer(settings: Settings) -> tuple[crypt.Signer, str]:
    """The key file's signer if one is configured, else IAM signBlob as the runtime account."""
    if settings.signing_key_file is not None:
        creds = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
            str(settings.signing_key_file)
        )
        return creds.signer, creds.service_account_email
    credentials: Any
    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    request = Request()
    credentials.refresh(request)
    email: str = credentials.service_account_email
    return iam.Signer(request, credentials, email), email  # type: ignore[no-untyped-call]


def firestore_access(settings: Settings, uid: str, now: datetime) -> dict[str, str]:
    """The ``firestore`` part of the login answer."""
    if settings.firestore_emulator_host is not None:
        return {
            "project": settings.project_id,
            "emulator_host": settings.firestore_emulator_host,
            "token": emulator_id_token(settings.project_id, uid, now),
        }
    if settings.firebase_api_key is None or settings.firebase_app_id is None:
        raise ConfigError(
            "CS_FIREBASE_API_KEY and CS_FIREBASE_APP_ID must name the editor's Firebase web app "
            "(terraform output firebase_web_config)"
        )
    signer, email = default_signer(settings)
    return {
        "project": settings.project_id,
        "api_key": settings.firebase_api_key,
        "app_id": settings.firebase_app_id,
        "custom_token": custom_token(signer, email, uid, now),
    }
