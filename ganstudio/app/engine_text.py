"""The engine's words, translated where the app shows them: health alarms (ganstudio/health.py,
training/guard.py), the Setup form's labels and help (ganstudio/config.py's field metadata) and
the device list's tooltip. The engine stays Qt-free and English; this module holds what lupdate
needs to see (docs/ARCHITECTURE.md, "Add or change a user-visible string"):

- fixed texts (a field's label, an alarm's advice) are listed in engine_strings.py, which
  ``python tools/i18n.py update`` generates from the engine itself, and translated by exact match;
- texts with numbers in them are matched by the patterns below, each beside its translatable
  template (named fields), so a translation can put the numbers where its grammar wants them.

Anything else (a GanstudioError's one line: a file's name and what is wrong with it) stays
English, as docs/ARCHITECTURE.md says.
"""

from __future__ import annotations

import dataclasses
import re

from ganstudio.app.i18n import QT_TRANSLATE_NOOP, marked

FIXED = ("TrainConfig", "health")  # engine_strings.py's contexts
SEPARATOR = QT_TRANSLATE_NOOP("health", "; ")  # between the parts of a collapse alarm

# (pattern of the engine's English, the same sentence for lupdate with the pattern's groups as {fields})
_N = r"[-+0-9.e]+"
PATTERNS = [
    (
        rf"The discriminator is winning outright \(D\(x\) (?P<dr>{_N}), D\(G\(z\)\) (?P<df>{_N})\) for (?P<n>\d+) "
        r"logged rows: the generator gets almost no gradient\.",
        QT_TRANSLATE_NOOP(
            "health",
            "The discriminator is winning outright (D(x) {dr}, D(G(z)) {df}) for {n} logged rows: "
            "the generator gets almost no gradient.",
        ),
    ),
    (
        rf"Samples are copying training images: (?P<v>{_N})% of them are closer to a training image than training "
        rf"images are to each other \(up from (?P<low>{_N})%\)\.",
        QT_TRANSLATE_NOOP(
            "health",
            "Samples are copying training images: {v}% of them are closer to a training image than training "
            "images are to each other (up from {low}%).",
        ),
    ),
    (
        r"Possible mode collapse: (?P<what>.+) over (?P<n>\d+) evaluations\.",
        QT_TRANSLATE_NOOP("health", "Possible mode collapse: {what} over {n} evaluations."),
    ),
    (
        r"(?P<loss>.+) became NaN/infinite (?P<n>\d+) time\(s\) in a row \(last at step (?P<step>\d+)\); "
        r"training paused\.",
        QT_TRANSLATE_NOOP(
            "health", "{loss} became NaN/infinite {n} time(s) in a row (last at step {step}); training paused."
        ),
    ),
    (
        r"(?P<loss>.+) became NaN/infinite by step (?P<step>\d+): the last (?P<k>\d+) steps were undone and "
        r"skipped \((?P<i>\d+) of (?P<n>\d+) before training pauses\)\.",
        QT_TRANSLATE_NOOP(
            "health",
            "{loss} became NaN/infinite by step {step}: the last {k} steps were undone and skipped "
            "({i} of {n} before training pauses).",
        ),
    ),
    (r"Available here: (?P<devices>.+)", QT_TRANSLATE_NOOP("TrainConfig", "Available here: {devices}")),
    # LatentState's slider labels (app/latent_state.py, Qt-free)
    (r"latent coordinate (?P<i>\d+)", QT_TRANSLATE_NOOP("LatentState", "latent coordinate {i}")),
    (
        rf"principal direction (?P<i>\d+): explains (?P<r>{_N})% of the output variance",
        QT_TRANSLATE_NOOP("LatentState", "principal direction {i}: explains {r}% of the output variance"),
    ),
    (r"z\[0\] class", QT_TRANSLATE_NOOP("LatentState", "z[0] class")),
    (
        r"a conditional generator: z\[0\] picks the class \(sweep it to walk through them\)",
        QT_TRANSLATE_NOOP(
            "LatentState", "a conditional generator: z[0] picks the class (sweep it to walk through them)"
        ),
    ),
    # the training worker's (app/worker.py: English there, its tests read it), around the engine's error
    (
        r"Could not start training: (?P<error>.+)",
        QT_TRANSLATE_NOOP("TrainingWorker", "Could not start training: {error}"),
    ),
    (r"Training stopped: (?P<error>.+)", QT_TRANSLATE_NOOP("TrainingWorker", "Training stopped: {error}")),
    (
        r"Could not save a checkpoint: (?P<error>.+)",
        QT_TRANSLATE_NOOP("TrainingWorker", "Could not save a checkpoint: {error}"),
    ),
    (
        r"Quality evaluations are off for this run: could not train the feature net \((?P<error>.+)\)",
        QT_TRANSLATE_NOOP(
            "TrainingWorker", "Quality evaluations are off for this run: could not train the feature net ({error})"
        ),
    ),
    (
        r"Quality evaluations are off for this run: (?P<error>.+)",
        QT_TRANSLATE_NOOP("TrainingWorker", "Quality evaluations are off for this run: {error}"),
    ),
    # what the utility figures were measured against (data/split.py)
    (r"the test files \((?P<file>.+)\)", QT_TRANSLATE_NOOP("split", "the test files ({file})")),
    (
        r"the (?P<n>[\d,]+) images the run held out \((?P<share>.+)\)",
        QT_TRANSLATE_NOOP("split", "the {n} images the run held out ({share})"),
    ),
]
# the parts of a collapse alarm's {what}, joined by "; "
PARTS = [
    (
        rf"modes fell from (?P<a>{_N}) to (?P<b>{_N}) of (?P<n>{_N})",
        QT_TRANSLATE_NOOP("health", "modes fell from {a} to {b} of {n}"),
    ),
    (
        rf"class coverage fell from (?P<a>{_N}) to (?P<b>{_N}) of (?P<n>{_N})",
        QT_TRANSLATE_NOOP("health", "class coverage fell from {a} to {b} of {n}"),
    ),
    (rf"FCD rose from (?P<a>{_N}) to (?P<b>{_N})", QT_TRANSLATE_NOOP("health", "FCD rose from {a} to {b}")),
    (rf"JS rose from (?P<a>{_N}) to (?P<b>{_N})", QT_TRANSLATE_NOOP("health", "JS rose from {a} to {b}")),
]
_COMPILED = [(re.compile(p, re.S), t) for p, t in PATTERNS]
_PARTS = [(re.compile(p), t) for p, t in PARTS]


_WORKER = ("Could not", "Training stopped", "Quality evaluations")


_LATENT = ("latent coordinate", "principal direction", "z[0] class", "a conditional generator")


_SPLIT = ("the test files", "the {n} images the run held out")


def _context(template: str) -> str:
    if template.startswith(_SPLIT):
        return "split"
    if template.startswith("Available"):
        return "TrainConfig"
    if template.startswith(_LATENT):
        return "LatentState"
    return "TrainingWorker" if template.startswith(_WORKER) else "health"


def _match(text: str, table) -> str | None:
    for pattern, template in table:
        m = pattern.fullmatch(text)
        if m:
            fields = m.groupdict()
            if "what" in fields:
                fields["what"] = marked("health", SEPARATOR).join(
                    _match(p, _PARTS) or p for p in fields["what"].split("; ")
                )
            return marked(_context(template), template).format(**fields)
    return None


def engine_text(text: str) -> str:
    """``text`` from the engine in the language installed (itself when no entry knows it)."""
    if not text:
        return text
    for context in FIXED:
        t = marked(context, text)
        if t != text:
            return t
    return _match(text, _COMPILED) or text


def translated_alarm(alarm):
    """A health alarm with its title and advice in the language installed."""
    return dataclasses.replace(alarm, title=engine_text(alarm.title), advice=engine_text(alarm.advice))


# fixed texts of the engine's that engine_strings.py cannot enumerate (written out in the engine)
OTHER = (
    QT_TRANSLATE_NOOP("health", "If it repeats, lower the learning rates or try another loss."),
    QT_TRANSLATE_NOOP(
        "health",
        "Compare samples with their nearest real images (Latent tab). Keep an earlier checkpoint "
        "(checkpoints/best.safetensors), add data or augmentation (--augment translation,cutout), or stop sooner.",
    ),
)


# training.setup.choices: what the data decided, one line of parts joined by ", "
CHOICE_PARTS = [
    (r"(?P<s>\d+)x(?P=s) \(its default\)", QT_TRANSLATE_NOOP("Choices", "{s}x{s} (its default)")),
    (r"(?P<s>\d+)x(?P=s) \(the data's own size\)", QT_TRANSLATE_NOOP("Choices", "{s}x{s} (the data's own size)")),
    (
        r"(?P<s>\d+)x(?P=s) \(from (?P<w>\d+)x(?P<h>\d+): the nearest size the models train on a CPU\)",
        QT_TRANSLATE_NOOP("Choices", "{s}x{s} (from {w}x{h}: the nearest size the models train on a CPU)"),
    ),
    (
        r"(?P<s>\d+)x(?P=s) \(from (?P<w>\d+)x(?P<h>\d+): the nearest size the models train\)",
        QT_TRANSLATE_NOOP("Choices", "{s}x{s} (from {w}x{h}: the nearest size the models train)"),
    ),
    (
        r"conditional on its (?P<n>\d+) labelled classes \(z\[0\] picks the class\)",
        QT_TRANSLATE_NOOP("Choices", "conditional on its {n} labelled classes (z[0] picks the class)"),
    ),
    (r"unconditional \(no labels\)", QT_TRANSLATE_NOOP("Choices", "unconditional (no labels)")),
    (r"unconditional", QT_TRANSLATE_NOOP("Choices", "unconditional")),
    (r"z (?P<z>\d+)", QT_TRANSLATE_NOOP("Choices", "z {z}")),
    (
        r"width (?P<w>\d+) and batch (?P<b>\d+) for the CPU at (?P<px>\d+) px",
        QT_TRANSLATE_NOOP("Choices", "width {w} and batch {b} for the CPU at {px} px"),
    ),
    (
        r"width (?P<w>\d+) and batch (?P<b>\d+) for (?P<dev>[A-Z]+) at (?P<px>\d+) px",
        QT_TRANSLATE_NOOP("Choices", "width {w} and batch {b} for {dev} at {px} px"),
    ),
    (
        r"width (?P<w>\d+) for the CPU at (?P<px>\d+) px",
        QT_TRANSLATE_NOOP("Choices", "width {w} for the CPU at {px} px"),
    ),
    (
        r"width (?P<w>\d+) for (?P<dev>[A-Z]+) at (?P<px>\d+) px",
        QT_TRANSLATE_NOOP("Choices", "width {w} for {dev} at {px} px"),
    ),
    (r"batch (?P<b>\d+) for the CPU", QT_TRANSLATE_NOOP("Choices", "batch {b} for the CPU")),
    (r"batch (?P<b>\d+) for (?P<dev>[A-Z]+)", QT_TRANSLATE_NOOP("Choices", "batch {b} for {dev}")),
    (
        r"(?P<loss>[\w-]+) loss with spectral norm in D",
        QT_TRANSLATE_NOOP("Choices", "{loss} loss with spectral norm in D"),
    ),
    (r"(?P<loss>[\w-]+) loss", QT_TRANSLATE_NOOP("Choices", "{loss} loss")),
    (
        r"Adam lr (?P<lr>[^,]+), betas \((?P<b1>[^,]+), (?P<b2>[^)]+)\)",
        QT_TRANSLATE_NOOP("Choices", "Adam lr {lr}, betas ({b1}, {b2})"),
    ),
    (r"Adam lr (?P<lr>[^,]+)", QT_TRANSLATE_NOOP("Choices", "Adam lr {lr}")),
    (r"Adam betas \((?P<b1>[^,]+), (?P<b2>[^)]+)\)", QT_TRANSLATE_NOOP("Choices", "Adam betas ({b1}, {b2})")),
    (rf"EMA (?P<e>{_N})", "EMA {e}"),
]
_CHOICE_PARTS = [(re.compile(p), t) for p, t in CHOICE_PARTS]
_CHOSEN = re.compile(r"chosen from the data: (?P<parts>.+) \(every choice can be overridden\)", re.S)
_TOY = re.compile(r"defaults for 2D points: (?P<model>\S+) G/D, z (?P<z>\d+), EMA (?P<ema>\S+)")


def choices_text(line: str) -> str:
    """training.choices' line in the language installed (as it is where a part is not known)."""
    if line == "every setting was given; nothing chosen from the data":
        return marked("Choices", QT_TRANSLATE_NOOP("Choices", "every setting was given; nothing chosen from the data"))
    m = _TOY.fullmatch(line)
    if m:
        ema = m["ema"] if m["ema"] != "off" else marked("Choices", QT_TRANSLATE_NOOP("Choices", "off"))
        template = QT_TRANSLATE_NOOP("Choices", "defaults for 2D points: {model} G/D, z {z}, EMA {ema}")
        return marked("Choices", template).format(model=m["model"], z=m["z"], ema=ema)
    m = _CHOSEN.fullmatch(line)
    if not m:
        return line
    rest, parts = m["parts"], []
    while rest:
        for pattern, template in _CHOICE_PARTS:
            p = pattern.match(rest)
            if p and (p.end() == len(rest) or rest.startswith(", ", p.end())):
                parts.append(marked("Choices", template).format(**p.groupdict()))
                rest = rest[p.end() + 2 :]
                break
        else:
            return line  # a part this table does not know yet: the engine's English, whole
    template = QT_TRANSLATE_NOOP("Choices", "chosen from the data: {parts} (every choice can be overridden)")
    return marked("Choices", template).format(parts=marked("Choices", SEPARATOR_LIST).join(parts))


SEPARATOR_LIST = QT_TRANSLATE_NOOP("Choices", ", ")  # between the parts of the choices line
