"""``createstudio``: one entry point; each subcommand lives in its own module."""

from __future__ import annotations

import argparse
import importlib
import sys

from shared.errors import ConfigError

# subcommand -> module exposing ``add_arguments(parser)`` and ``run(args) -> int``
SUBCOMMANDS = {
    "dev": ("shared.cli.dev", "run the whole local stack until Ctrl-C"),
    "render": ("shared.cli.render", "render a timeline JSON file to an MP4"),
    "demo": ("shared.cli.demo", "bring the stack up and run the main job end to end"),
    "users": ("shared.cli.users", "manage users of the HTTP API (users add NAME)"),
    "chains": ("shared.cli.chains", "show each capability's chain and which link answers now"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="createstudio", description="Create Studio")
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # a subcommand not built yet
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    try:
        return int(modules[args.command].run(args))
    except ConfigError as exc:  # a setting missing or malformed: say which, not a traceback
        print(f"createstudio {args.command}: {exc.message}", file=sys.stderr)
        print(
            "  (for the local stack, run the export lines `createstudio dev` prints)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
