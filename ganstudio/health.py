"""Training health alarms, Qt-free: the trainer raises them, every front end shows them.

Each :class:`Alarm` (an event: defined in ganstudio/events.py) says what was seen and what
to try. :class:`HealthMonitor` watches the logged scalars and the evaluations:

- ``d_wins``: the discriminator separates real from fake almost perfectly for a while, so
  the generator's gradient vanishes (logistic/LSGAN: D(x) > 0.95 and D(G(z)) < 0.05;
  hinge: both outside the margins). WGAN critics have no such scale and are not judged.
- ``collapse``: mode/class coverage falls well below its best, or the main distance rises
  far above its best, for two evaluations in a row.
- ``memorize``: the memorisation figure (percent of samples closer to a training image than
  training images are to each other, metrics/neighbours.py) climbs MEMO_RISE points above its
  lowest and past MEMO_LEVEL, for two evaluations in a row: the generator may be copying its data.
- ``nonfinite`` alarms come from the trainer itself (a skipped interval, or a pause).
"""

from __future__ import annotations

from ganstudio.events import Alarm

D_WINS_ROWS = 30  # consecutive logged rows (30 x log_every steps) before d_wins fires
COLLAPSE_EVALS = 2  # consecutive bad evaluations before collapse fires
MEMO_RISE = 20.0  # percentage points above the lowest memorisation figure so far ...
# ... and at least this: new images from the data's own distribution score about 50 (real
# images held out of the index; see bench/neighbours.py).
MEMO_LEVEL = 60.0

__all__ = ["Alarm", "HealthMonitor"]


class HealthMonitor:
    def __init__(self, loss: str, spectral_norm: bool = False, d_steps: int = 1, ema: float | None = 0.0):
        self.loss = loss
        # advice names only the fixes not already in use (the Trainer passes its config's)
        self.spectral_norm = bool(spectral_norm)
        self.d_steps = d_steps
        self.ema = bool(ema)  # an EMA of G is kept (decay > 0)
        self._wins = 0
        self._wins_raised = False
        self._best: dict[str, float] = {}
        self._bad = 0
        self._collapse_raised = False
        self._memo_low: float | None = None
        self._memo_bad = 0
        self._memo_raised = False

    def on_scalars(self, step: int, values: dict[str, float]) -> Alarm | None:
        dr, df = values.get("d_real"), values.get("d_fake")
        if dr is None or df is None:
            return None
        if self.loss in ("ns", "minimax", "lsgan"):
            winning = dr > 0.95 and df < 0.05
        else:
            # hinge and wgan-gp: G's loss is linear in D's score, so a confident D still gives
            # G its full gradient (scores past the hinge margins are normal on real data
            # early on; an alarm there would only cry wolf).
            return None
        self._wins = self._wins + 1 if winning else 0
        if not winning:
            self._wins_raised = False
        if self._wins >= D_WINS_ROWS and not self._wins_raised:
            self._wins_raised = True  # once per episode
            return Alarm(
                step,
                "d_wins",
                f"The discriminator is winning outright (D(x) {dr:.2f}, D(G(z)) {df:.2f}) for "
                f"{self._wins} logged rows: the generator gets almost no gradient.",
                self._d_wins_advice(),
            )
        return None

    def _d_wins_advice(self) -> str:
        # Only what is not already in use: the alarm never fires for hinge or wgan-gp.
        fixes = ["lower D's learning rate" + (" or D steps" if self.d_steps > 1 else "")]
        if not self.spectral_norm:
            fixes.append("turn on spectral norm")
        fixes.append("try the hinge or wgan-gp loss")
        return _sentence(fixes)

    def _collapse_advice(self) -> str:
        """What to try against collapse, less what the run already uses (a lower learning rate
        is always possible)."""
        fixes = ["a lower learning rate"]
        if not self.ema:
            fixes.append("an EMA of G")
        if not self.spectral_norm:
            fixes.append("spectral norm")
        if self.loss != "wgan-gp":
            fixes.append("the wgan-gp loss")
        text = _sentence(fixes)
        return f"The best checkpoint is kept (checkpoints/best.safetensors). Try {text[0].lower()}{text[1:-1]}; " + (
            "or resume from the best."
        )

    def set_loss(self, loss: str, d_steps: int | None = None) -> None:
        self.loss, self._wins, self._wins_raised = loss, 0, False
        if d_steps is not None:
            self.d_steps = d_steps

    def on_eval(self, step: int, m: dict[str, float]) -> Alarm | None:
        collapse = self._collapse(step, m)
        memo = self._memorize(step, m)
        return collapse or memo  # (both at once is rare: the next evaluation repeats the other)

    def _memorize(self, step: int, m: dict[str, float]) -> Alarm | None:
        v = m.get("memorized")
        if not isinstance(v, (int, float)) or v != v:
            return None
        low = v if self._memo_low is None else self._memo_low
        high = v >= MEMO_LEVEL and v - low >= MEMO_RISE
        self._memo_low = min(low, v)
        self._memo_bad = self._memo_bad + 1 if high else 0
        if not high:
            self._memo_raised = False
        if self._memo_bad >= COLLAPSE_EVALS and not self._memo_raised:
            self._memo_raised = True
            return Alarm(
                step,
                "memorize",
                f"Samples are copying training images: {v:.0f}% of them are closer to a training image "
                f"than training images are to each other (up from {low:.0f}%).",
                "Compare samples with their nearest real images (Latent tab). Keep an earlier checkpoint "
                "(checkpoints/best.safetensors), add data or augmentation (--augment translation,cutout), "
                "or stop sooner.",
            )
        return None

    def _collapse(self, step: int, m: dict[str, float]) -> Alarm | None:
        worse = []
        for key, n_key in (("modes", "n_modes"), ("class_coverage", "n_classes")):
            if key in m:
                best = self._best.get(key, m[key])
                if m[key] <= best - max(1.0, 0.25 * best):
                    worse.append(f"{key.replace('_', ' ')} fell from {best:.0f} to {m[key]:.0f} of {m[n_key]:.0f}")
        for key, factor, slack in (("fcd", 2.0, 0.0), ("js", 1.0, 0.2)):
            if key in m:
                best = self._best.get(key, m[key])
                limit = best * factor + slack
                if m[key] > limit and m[key] - best > 1e-9:
                    worse.append(f"{key.upper()} rose from {best:.3g} to {m[key]:.3g}")
        for key, better in (("modes", max), ("class_coverage", max), ("fcd", min), ("js", min)):
            if key in m:
                self._best[key] = better(self._best.get(key, m[key]), m[key])
        self._bad = self._bad + 1 if worse else 0
        if not worse:
            self._collapse_raised = False
        if self._bad >= COLLAPSE_EVALS and not self._collapse_raised:
            self._collapse_raised = True
            return Alarm(
                step,
                "collapse",
                "Possible mode collapse: " + "; ".join(worse) + f" over {self._bad} evaluations.",
                self._collapse_advice(),
            )
        return None


def _sentence(items: list[str]) -> str:
    """``["a", "b", "c"]`` -> "A, b or c." (one item: "A.")."""
    text = items[-1] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
    return text[0].upper() + text[1:] + "."
