"""Command line: ``python -m gandetexture COMMAND ...`` (also installed as ``gandetexture``).

Each command lives beside the code it drives and registers itself here through an
``add_commands(subparsers)`` function; a command's handler returns the exit status.
A :class:`ValueError` raised by a handler (bad file, bad name, ...) is printed as one line
``gandetexture: error: ...`` with exit status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

# Modules that contribute commands (each defines ``add_commands(subparsers)``).
COMMAND_MODULES: tuple[str, ...] = ("gandetexture.spatial", "gandetexture.removal")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(prog="python -m gandetexture",
                                     description="Train and use the course's GANs.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ValueError as error:
        print(f"gandetexture: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
