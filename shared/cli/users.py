"""``createstudio users add NAME``: create a user in Firestore (the password never on argv).

The password is prompted for twice on a terminal, or read as one line from stdin
(``--password-stdin``, for scripts: ``printf '%s\\n' "$PW" | createstudio users add demo``).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

from shared.adapters.clients import GoogleClients
from shared.auth.passwords import MIN_PASSWORD_CHARS
from shared.auth.service import add_user
from shared.auth.users import FirestoreUserStore
from shared.errors import AppError, InvalidRequest
from shared.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create a user (password prompted, or from stdin)")
    add.add_argument("name", help="login name: letters, digits, '.', '_' or '-'")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password as one line from stdin instead of prompting",
    )


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password (at least {MIN_PASSWORD_CHARS} characters): ")
    if getpass.getpass("Password again: ") != first:
        raise InvalidRequest("the two passwords differ")
    return first


def run(args: argparse.Namespace) -> int:
    try:
        password = _read_password(args.password_stdin)
        settings = Settings.from_env()
        clients = GoogleClients(settings)
        try:
            user = add_user(
                FirestoreUserStore(clients.firestore), args.name, password, datetime.now(UTC)
            )
        finally:
            clients.close()
    except InvalidRequest as exc:
        print(f"createstudio users: {exc}", file=sys.stderr)
        return 2
    except AppError as exc:
        print(f"createstudio users: {exc}", file=sys.stderr)
        return 1
    print(f"user {user.uid} created in project {settings.project_id}")
    return 0
