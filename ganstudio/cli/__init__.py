"""Command line: ``ganstudio app|train|sample|interpolate|directions|evaluate|export|project|inpaint|datasets``.

One module per command, each with ``add_parser(sub)`` and ``run(args)``; a new command is a
module here and its name in COMMANDS. ``main(argv)`` returns an exit code: user errors
(GanstudioError) print one clear line and return 1; argparse usage errors return 2; Ctrl-C
during training saves and returns 130.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

from ganstudio.errors import GanstudioError

COMMANDS = (
    "app",
    "train",
    "sample",
    "interpolate",
    "directions",
    "evaluate",
    "export",
    "project",
    "inpaint",
    "render",
    "datasets",
    "synth",
    "utility",
)


def command(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def build_parser(config: type | None = None) -> argparse.ArgumentParser:
    """The whole command line; ``config``: the TrainConfig (sub)class whose fields become train's flags."""
    from ganstudio import __version__

    p = argparse.ArgumentParser(prog="ganstudio", description="Watch a GAN learn, live, and explore what it learned.")
    p.add_argument("--version", action="version", version=f"ganstudio {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        if name == "train" and config is not None:
            command(name).add_parser(sub, config)
        else:
            command(name).add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version or a usage error (already printed)
        return int(e.code or 0)
    try:
        return command(args.command).run(args)
    except GanstudioError as e:
        print(f"ganstudio: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ganstudio: interrupted", file=sys.stderr)
        return 130
