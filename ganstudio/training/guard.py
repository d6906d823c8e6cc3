"""The non-finite guard: no NaN/inf ever trains on or reaches a checkpoint.

A log row with a non-finite loss undoes the interval since the last finite row from a
recent on-device copy of the state (cheap; its batches and noise are not replayed).
NONFINITE_PAUSE such rows in a row, or NaN weights about to be checkpointed, roll back to
the last good state (the last checkpoint's CPU copy) and raise NonFiniteLossError, which
pauses every front end; ``Trainer.run()`` may then be called again. ``Guard(trainer)`` is
the Trainer's (training/loop.py), untyped here so that this module does not import it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from ganstudio.errors import NonFiniteLossError
from ganstudio.events import Alarm, Scalars
from ganstudio.io.checkpoint import cpu_copy
from ganstudio.training import state

NONFINITE_PAUSE = 3  # non-finite log intervals in a row that pause training
# Steps between copies of the state a NaN interval is undone to (and at every checkpoint):
# a copy reads and writes every weight and optimiser moment (see bench/throughput.py).
ROLLBACK_EVERY = 50


class Guard:
    def __init__(self, trainer):
        self.tr = trainer
        # (CPU tensors, metadata) of the last checkpoint taken, or of the run's start:
        # read-only (a rollback clones what it loads).
        self.last_good: tuple[dict[str, torch.Tensor], dict[str, Any]] | None = None
        self._recent_src: list[torch.Tensor] | None = None  # the live tensors ...
        self._recent: list[torch.Tensor] | None = None  # ... and their copy on the device
        self._recent_step = 0
        self._bad_rows = 0  # non-finite log rows in a row

    def keep_now(self) -> None:
        """The state now becomes the last good one (one CPU copy)."""
        t, meta = state.to_tensors(self.tr)
        self.last_good = cpu_copy(t), meta

    def forget_recent(self) -> None:
        """After a load: the optimiser's state tensors were replaced."""
        self._recent = self._recent_src = None

    def finite_row(self, step: int) -> None:
        """A log row with finite losses: remember the state now and then."""
        self._bad_rows = 0
        due = self._recent is None or step - self._recent_step >= ROLLBACK_EVERY
        if due or step % self.tr.cfg.checkpoint_every == 0:
            self._remember_recent()

    def nonfinite_row(self, ev: Scalars, bad: str) -> Alarm:
        """Undo the interval since the last finite row and return its alarm; the
        NONFINITE_PAUSE-th in a row (or one before any copy exists) rolls back and raises."""
        self._bad_rows += 1
        if self._bad_rows >= NONFINITE_PAUSE or self._recent is None:
            n, self._bad_rows = self._bad_rows, 0
            self.rollback()
            self.tr.publish(
                Alarm(
                    ev.step,
                    "nonfinite",
                    f"{bad} became NaN/infinite {n} time(s) in a row (last at step {ev.step}); training paused.",
                    "",
                    paused=True,
                )
            )
            raise NonFiniteLossError(
                f"{bad} became NaN/infinite by step {ev.step} ({n} time(s) in a row); the "
                f"weights were reset to the last good state (step {self.tr.step_count}). Try a "
                "lower learning rate or another loss."
            )
        with torch.no_grad():
            torch._foreach_copy_(self._recent_src, self._recent)
        return Alarm(
            ev.step,
            "nonfinite",
            f"{bad} became NaN/infinite by step {ev.step}: the last {ev.step - self._recent_step} steps were "
            f"undone and skipped ({self._bad_rows} of {NONFINITE_PAUSE} before training pauses).",
            "If it repeats, lower the learning rates or try another loss.",
        )

    def check_weights(self) -> None:
        """Never commit NaN/inf weights as a checkpoint: roll back and raise instead."""
        tr = self.tr
        params = list(tr.G.parameters()) + list(tr.D.parameters())
        if not bool(torch.stack([torch.isfinite(p).all() for p in params]).all()):  # sync point, once per checkpoint
            step = tr.step_count
            self.rollback()
            raise NonFiniteLossError(
                f"the weights became NaN/infinite by step {step}; they were reset to the last "
                f"good state (step {tr.step_count}). Try a lower learning rate or another loss."
            )

    def rollback(self) -> None:
        tr = self.tr
        tr.writer.wait_quietly()  # the files being written are the states rolled back to
        if self.last_good is not None:
            tr.restore_state(*self.last_good, source=Path("<last good state>"))
            if tr.log is not None:  # rows past the restored step will be logged again
                tr.log.truncate(tr.step_count)

    def _state_list(self) -> list[torch.Tensor]:
        tr = self.tr
        mods = [tr.G, tr.D] + ([tr.G_ema] if tr.G_ema is not None else [])
        out = [t for m in mods for t in list(m.parameters()) + list(m.buffers())]
        for opt in (tr.opt_g, tr.opt_d):
            out += [v for st in opt.state.values() for v in st.values() if torch.is_tensor(v)]
        return out

    @torch.no_grad()
    def _remember_recent(self) -> None:
        src = self._state_list()
        if (
            self._recent is None
            or len(src) != len(self._recent)
            or any(a is not b for a, b in zip(src, self._recent_src))
        ):
            self._recent_src, self._recent = src, [t.detach().clone() for t in src]
        else:  # one device-side copy; no sync
            torch._foreach_copy_(self._recent, src)
        self._recent_step = self.tr.step_count
