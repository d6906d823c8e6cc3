"""Small helpers several benches share (each bench runs as a script, so this folder is on sys.path)."""

from __future__ import annotations

import ast


def percentile(xs: list[float], q: float) -> float:
    """The q-th percentile of xs, nearest rank (no interpolation: a measured value)."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def run_event_loop(seconds: float) -> None:
    """Run Qt's event loop for a while, as app.exec() would (training and painting go on)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def config_overrides(pairs: list[str]) -> dict:
    """``--set KEY=VALUE ...`` as TrainConfig fields, checked by config.from_dict (names and types).

    A VALUE is a Python literal (65, 0.5, True, [256, 512], 'ns') or else the bare string
    (loss=ns), read with ast.literal_eval: nothing is executed.
    """
    from ganstudio.config import from_dict
    from ganstudio.errors import ConfigError

    out = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep:
            raise SystemExit(f"--set {pair!r}: expected KEY=VALUE")
        try:
            out[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            out[key] = text
    try:
        from_dict(out)  # a wrong name or type stops the bench here, before any training
    except ConfigError as e:
        raise SystemExit(f"--set: {e}") from None
    return out
