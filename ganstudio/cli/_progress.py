"""What ``ganstudio train`` shows while it trains (and the bar other commands show while a
helper net trains), and how Ctrl-C stops it cleanly."""

from __future__ import annotations

import signal
import sys
from contextlib import contextmanager
import threading
import time


@contextmanager
def updates_bar(desc: str):
    """A ``progress(done, total)`` for a net's training: a bar of updates on a terminal (made at
    the first report, closed on leaving), None elsewhere."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="update", desc=desc, dynamic_ncols=True, file=sys.stderr)
        bar.update(done - bar.n)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.close()


def prepare_evaluation(trainer) -> None:
    """Train (once per dataset; then cached) the feature net quality metrics need, with a
    bar on a terminal: about a minute for a new 60,000-image set on a CPU."""
    t0 = time.perf_counter()
    with updates_bar("feature net") as progress:
        net = trainer.prepare_evaluation(progress)
    if net is not None and net.seconds:
        what = (
            f"held-out accuracy {net.score:.3f}" if net.kind == "classifier" else f"reconstruction MSE {net.score:.4f}"
        )
        print(
            f"feature net ready in {time.perf_counter() - t0:.0f}s ({what}); the run's clock starts now",
            file=sys.stderr,
        )


def install_sigint(trainer):
    """First Ctrl-C: stop after this step, save, exit. Second: abort at once. Returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum, frame):
        if trainer.stop_requested:
            raise KeyboardInterrupt
        print("\nstopping after this step and saving a checkpoint (Ctrl-C again to abort)...", file=sys.stderr)
        trainer.request_stop()

    # SIGTERM (kill, systemd, a batch scheduler) stops the same clean way, so the steps since
    # the last periodic checkpoint are not lost.
    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    return lambda: [signal.signal(sig, h) for sig, h in old.items()]


class Progress:
    """A tqdm bar on a terminal; plain periodic lines (every ~10 s) otherwise."""

    def __init__(self, start: int, total: int, time_limit: float | None, quiet: bool = False):
        self.start, self.total, self.last, self.time_limit = start, total, start, time_limit
        self.quiet = quiet  # torchrun ranks other than 0 stay silent
        self.t0 = self.t_print = time.perf_counter()
        self.bar = None
        if sys.stderr.isatty() and not quiet:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=start, unit="step", dynamic_ncols=True, file=sys.stderr)

    def update(self, ev) -> None:
        from ganstudio.health import Alarm
        from ganstudio.events import Evaluated, Scalars

        if self.quiet:
            return
        if isinstance(ev, (Evaluated, Alarm)):
            self.write(eval_line(ev) if isinstance(ev, Evaluated) else f"warning: {ev.title} {ev.advice}".strip())
            return
        if not isinstance(ev, Scalars):
            return
        values = ev.values
        if self.bar is not None:
            self.bar.update(ev.step - self.last)
            self.bar.set_postfix(loss_d=f"{values['loss_d']:.3f}", loss_g=f"{values['loss_g']:.3f}", refresh=False)
        elif time.perf_counter() - self.t_print >= 10 or ev.step >= self.total:
            self.t_print = now = time.perf_counter()
            rate = (ev.step - self.start) / max(now - self.t0, 1e-9)
            eta = (self.total - ev.step) / rate if rate else float("inf")
            if self.time_limit:
                eta = min(eta, self.time_limit - (now - self.t0))
            print(
                f"step {ev.step}/{self.total}  {rate:.1f} steps/s  eta {eta:.0f}s  "
                f"loss_d {values['loss_d']:.4f}  loss_g {values['loss_g']:.4f}  "
                f"D(x) {values['d_real']:.3f}  D(G(z)) {values['d_fake']:.3f}",
                file=sys.stderr,
                flush=True,
            )
        self.last = ev.step

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def write(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)


def eval_line(ev) -> str:
    from ganstudio.metrics.evaluate import format_metrics

    return f"step {ev.step}  quality: {format_metrics(ev.values)}{'  (new best)' if ev.best else ''}"
