"""How a TrainConfig field is shown: the app's Setup form (``ui``) and ``ganstudio train``'s
flags (``cli``), declared once beside the field in ganstudio/config.py. Data only: no Qt, no argparse."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Control:
    """How the app shows a TrainConfig field: ganstudio/app/setup_form.py builds the Setup form
    from these, ganstudio/app/session.py decides with them what a Resume, a Step or continuing a
    run takes from the form (docs/ARCHITECTURE.md, "The app's state"). Data only: nothing here imports Qt."""

    label: str | None = None  # the form row's label ("" for a checkbox, which has its own text); None: no widget
    name: str = ""  # the widget's objectName (tests and users' scripts find widgets by it: never rename)
    row: int = 0  # place in the form, top to bottom
    text: str = ""  # a checkbox's text (a checkbox shows a bool, or a number as on (truthy) / off (0))
    choices: tuple[str, ...] | Callable[[], Any] = ()  # a combo box's items, or a function giving them
    range: tuple[float, float] | None = None  # a spin box's limits
    step: float = 1  # a spin box's single step
    decimals: int = 0  # a float spin box's decimals
    tooltip: str | Callable[[], str] = ""
    auto: bool = False  # None shows as "auto" (a combo item, or a spin box's lowest value): the data decides
    placeholder: str = ""  # a combo's text while the field does not apply; an auto spin box's text at its lowest value
    on_value: float = 0.999  # a number shown as a checkbox: its value when ticked (if the data gives none)
    applies: str = ""  # "image" / "2d": only for that kind of data (disabled and empty otherwise)
    live: str = "locked"  # while training: "locked" (disabled), "paused" (changes while paused, applies on
    # Resume/Step: Trainer.set_hparams), "free" (stays editable; for the next run)
    on_resume: str = "keep"  # continuing a run: "match" (a new run unless equal), "override" (the form wins),
    # "keep" (the run's own value)


def ui(label: str | None = None, **kw: Any) -> dict[str, Control]:
    """Field metadata for the app: ``field(default=..., metadata=ui("Label", name="objName", ...))``."""
    return {"ui": Control(label, **kw)}


def control(f: dataclasses.Field) -> Control | None:
    """A field's app metadata (None for a field the app never shows or changes)."""
    return f.metadata.get("ui")


@dataclass(frozen=True)
class Flag:
    """How ``ganstudio train`` shows a TrainConfig field: ganstudio/cli/train.py adds one flag per
    field that has one, its type from the annotation (a bool: --x / --no-x). Data only."""

    help: str
    metavar: str | None = None
    choices: tuple[Any, ...] | None = None
    default: str | None = None  # what the help says the default is; None: the field's, "chosen from the data" if None
    name: str = ""  # the flag when not --field-name
    type: Callable[[str], Any] | None = None  # when not the annotation's


def cli(help: str, **kw: Any) -> dict[str, Flag]:
    """Field metadata for ``ganstudio train``: ``metadata=cli("help", metavar="N")`` (or ``ui(...) | cli(...)``)."""
    return {"cli": Flag(help, **kw)}


def cli_flag(f: dataclasses.Field) -> Flag | None:
    """A field's command-line metadata (None for a field ``train`` has no flag for)."""
    return f.metadata.get("cli")
