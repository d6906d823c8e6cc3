"""torchrun / DistributedDataParallel: detection, process group, wrapping, data sharding.

``torchrun --nproc_per_node=N -m ganstudio train ...`` sets RANK, WORLD_SIZE, LOCAL_RANK
and MASTER_ADDR/PORT in each worker's environment; :func:`setup` turns that into a process
group (NCCL on GPUs, gloo on CPU) and a :class:`DistInfo` the Trainer takes. Without those
variables (or with WORLD_SIZE=1) nothing here runs and training is single-process.

How the engine's step meets DDP (the why of :func:`wrap`):
- G and D are each wrapped once; the Trainer keeps the raw modules for samples, EMA and
  checkpoints (so checkpoints hold unwrapped names and load in any world size), and calls
  the wrappers only where gradients must be averaged across ranks.
- D's step may call D twice (real, then fake: batch norm must not mix them) before one
  backward. That is fine for DDP's reducer (each parameter's gradient is ready once), but
  broadcasting D's buffers at the second forward would modify batch-norm running
  statistics that autograd saved, so D uses ``broadcast_buffers=False``. D's running
  statistics are never used (D always trains), so per-rank values are harmless.
- G's step backpropagates through the *raw* D with D's parameters frozen: no D gradients
  exist in that backward, and going around D's wrapper keeps its reducer from waiting for
  gradients that never come (the "unused parameters" error) without find_unused_parameters.
- The gradient penalty (wgan-gp) also calls the raw D: its double backward flows into D's
  parameters within the same ``loss_d.backward()`` that the wrapped forward prepared, so
  each parameter's gradient is still ready exactly once (works with gloo and NCCL).
- On CUDA, batch norm becomes SyncBatchNorm (statistics over the global batch); on CPU,
  gloo has no SyncBatchNorm, so each rank normalises its own shard.
"""

from __future__ import annotations

import datetime
import hashlib
import inspect
import math
import os
from dataclasses import dataclass

import torch
from torch import nn

from ganstudio.errors import ConfigError

DEFAULT_TIMEOUT_S = 600  # a collective that waits longer than this fails the job instead of hanging
STOP_CODES = (None, "time limit", "stopped")


@dataclass(frozen=True)
class DistInfo:
    rank: int
    world_size: int
    local_rank: int
    device: torch.device
    backend: str

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def agree_stop(self, reason: str | None) -> str | None:
        """All ranks leave the training loop at the same step: the strongest reason wins.
        One tiny all-reduce; the Trainer calls it only at log rows (which sync anyway)."""
        flag = torch.tensor([STOP_CODES.index(reason)], device=self.device)
        torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
        return STOP_CODES[int(flag.item())]  # sync point, once per log row

    def mean_(self, t: torch.Tensor) -> torch.Tensor:
        """Average ``t`` across ranks in place (a NaN on any rank reaches every rank)."""
        torch.distributed.all_reduce(t)
        return t.div_(self.world_size)


def env_world() -> tuple[int, int, int] | None:
    """(rank, world size, local rank) from torchrun's environment; None when not distributed."""
    try:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world <= 1:
            return None
        return int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0"))
    except (KeyError, ValueError) as e:
        raise ConfigError(
            f"inconsistent torchrun environment (WORLD_SIZE set, but {e} is missing or invalid); "
            "start distributed training with torchrun"
        ) from None


def setup(device_name: str) -> DistInfo | None:
    """Join the process group torchrun describes; None (and no side effects) when not under torchrun."""
    env = env_world()
    if env is None:
        return None
    rank, world, local_rank = env
    from ganstudio.devices import pick_device

    device = pick_device(device_name)
    if device.type == "cuda":
        if local_rank >= torch.cuda.device_count():
            raise ConfigError(
                f"LOCAL_RANK {local_rank} but only {torch.cuda.device_count()} GPU(s) on this node; "
                "use --nproc_per_node <= the number of GPUs"
            )
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
        backend = "nccl"
    elif device.type == "cpu":
        backend = "gloo"
    else:
        raise ConfigError(
            f"distributed training supports CUDA (NCCL) and CPU (gloo), not {device.type}; pass --device cpu or cuda"
        )
    timeout = float(os.environ.get("GANSTUDIO_DIST_TIMEOUT", DEFAULT_TIMEOUT_S))
    if not torch.distributed.is_initialized():
        torch.distributed.init_process_group(
            backend, rank=rank, world_size=world, timeout=datetime.timedelta(seconds=timeout)
        )
    return DistInfo(rank, world, local_rank, device, backend)


_COMM_WORDS = ("gloo", "nccl", "connection", "timed out", "timeout", "socket", "broken pipe", "peer")


def is_comm_error(e: BaseException) -> bool:
    """Whether an exception came from a collective failing (a peer died, a timeout)."""
    dist_error = getattr(torch.distributed, "DistError", None)
    if dist_error is not None and isinstance(e, dist_error):
        return True
    text = str(e).lower()
    return any(w in text for w in _COMM_WORDS)


def teardown() -> None:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


def wrap(G: nn.Module, D: nn.Module, dist: DistInfo | None) -> tuple[nn.Module, nn.Module]:
    """(G, D) to call in the training step: DDP wrappers, or the modules themselves when
    single-process. SyncBatchNorm replaces batch norm in place on CUDA (same parameters
    and state-dict names, so checkpoints stay interchangeable). See the module docstring."""
    if dist is None:
        return G, D
    from torch.nn.parallel import DistributedDataParallel as DDP

    ids = [dist.device.index] if dist.device.type == "cuda" else None
    if dist.device.type == "cuda":
        G = nn.SyncBatchNorm.convert_sync_batchnorm(G)
        D = nn.SyncBatchNorm.convert_sync_batchnorm(D)
    # G runs one forward per backward: its buffers (batch-norm statistics used for samples)
    # follow rank 0's at each forward (the default). DDP also broadcasts rank 0's weights
    # (and buffers) here, at construction.
    g = DDP(G, device_ids=ids)
    # Newer torch renamed the per-forward buffer sync (and warns about the old name).
    no_sync = (
        {"forward_sync_buffers": False}
        if "forward_sync_buffers" in inspect.signature(DDP).parameters
        else {"broadcast_buffers": False}
    )
    d = DDP(D, device_ids=ids, **no_sync)
    return g, d


def shard(perm: torch.Tensor, rank: int, world: int) -> torch.Tensor:
    """This rank's part of an epoch's permutation, as torch's DistributedSampler does it:
    pad to a multiple of ``world`` by repeating from the start, then take every world-th
    index from ``rank``. Every rank gets ceil(N / world) items."""
    n = len(perm)
    total = math.ceil(n / world) * world
    if total > n:
        reps = math.ceil(total / n)
        perm = torch.cat([perm] * reps)[:total] if reps > 1 else torch.cat([perm, perm[: total - n]])
    return perm[rank:total:world]


def shard_pos(pos: int, old_world: int, new_world: int, shard_len: int) -> int:
    """Where a resumed run continues in the current epoch when the world size changed:
    the same fraction of the epoch (exact when the world size is unchanged)."""
    if old_world == new_world:
        return pos
    return min(math.ceil(pos * old_world / new_world), shard_len)


def rank_seed(seed: int, rank: int, step: int = 0) -> int:
    """Seed of rank ``rank``'s latent/penalty noise (rank 0 keeps the single-process stream)."""
    return (seed * 1_000_003 + rank * 7_919 + step * 104_729) % (2**63)


def module_digest(module: nn.Module) -> str:
    """sha256 over a module's parameters (names, shapes, bytes): equal digests, equal weights."""
    h = hashlib.sha256()
    for name, p in module.named_parameters():
        t = p.detach().to("cpu").contiguous()
        h.update(name.encode())
        h.update(str(tuple(t.shape)).encode())
        h.update(t.numpy().tobytes())
    return h.hexdigest()
