"""Password hashing (Argon2id) and the password policy; pure apart from the CPU it burns."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.errors import InvalidRequest

MIN_PASSWORD_CHARS = 15  # OWASP: 15 without MFA; never truncated
MAX_PASSWORD_CHARS = 256

# OWASP's Argon2id minimum (19 MiB, 2 passes, 1 lane): ~26 ms here, so many logins fit in one
# small function instance; check_needs_rehash upgrades stored hashes if these ever change.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the user does not exist, so unknown names cost the same time.
_DUMMY_HASH = _HASHER.hash("not-a-password-of-anyone")


def check_password_policy(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidRequest(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidRequest(f"the password must have at most {MAX_PASSWORD_CHARS} characters")
    return password


def hash_password(password: str) -> str:
    return _HASHER.hash(check_password_policy(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; with no stored hash, burn the same time and say False."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)
