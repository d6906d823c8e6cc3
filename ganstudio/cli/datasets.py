"""``ganstudio datasets``: the built-in and named datasets, and the forms of one's own."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    sub.add_parser("datasets", help="list the datasets")


def run(args: argparse.Namespace) -> int:
    from ganstudio.data import describe

    rows = describe()
    width = max(len(n) for n, _ in rows)
    for name, desc in rows:
        print(f"{name:<{width}}  {desc}")
    return 0
