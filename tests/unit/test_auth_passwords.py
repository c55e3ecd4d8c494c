"""Argon2id hashing, the password policy, and equal work for unknown users."""

from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher

from shared.auth.passwords import (
    MIN_PASSWORD_CHARS,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from shared.errors import InvalidRequest

GOOD = "correct horse battery staple"


def test_hash_and_verify() -> None:
    stored = hash_password(GOOD)
    assert stored.startswith("$argon2id$") and GOOD not in stored
    assert verify_password(stored, GOOD)
    assert not verify_password(stored, GOOD + " ")
    assert not verify_password(stored, GOOD[:-1])  # never truncated
    assert hash_password(GOOD) != stored  # salted


def test_unknown_user_costs_a_verify() -> None:
    stored = hash_password(GOOD)
    start = time.perf_counter()
    for _ in range(5):
        verify_password(stored, "wrong password here")
    known = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(5):
        assert not verify_password(None, "wrong password here")
    unknown = time.perf_counter() - start
    assert unknown > known * 0.5  # same order of work (not a strict timing test)


def test_garbage_hash_is_a_refusal() -> None:
    assert not verify_password("not-a-hash", GOOD)


def test_old_parameters_need_rehash() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(GOOD)
    assert verify_password(old, GOOD)
    assert needs_rehash(old)
    assert not needs_rehash(hash_password(GOOD))


@pytest.mark.parametrize("password", ["", "x" * (MIN_PASSWORD_CHARS - 1), "y" * 257])
def test_policy_refuses(password: str) -> None:
    with pytest.raises(InvalidRequest, match="password"):
        check_password_policy(password)
