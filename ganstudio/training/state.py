"""The checkpoint format: a Trainer's whole state as tensors + JSON metadata, and back.

Tensor names: ``G/…``, ``D/…``, ``G_ema/…`` (state dicts), ``opt_g/<param>/<key>`` and
``opt_d/…`` (Adam moments), ``rng/data``, ``rng/z``, ``rng/gp`` and ``data/perm``; the
metadata holds the step, the clock, the data position, the config and the optimisers' groups.
io/checkpoint.py writes and reads the files (safetensors, atomic, never unpickled). ``tr``
is the Trainer (training/loop.py), untyped here so that this module does not import it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ganstudio.errors import CheckpointError, first_lines
from ganstudio.generator import load_module
from ganstudio.io.checkpoint import check_finite
from ganstudio.training.setup import fused_adam, reseed_rank, versions


def to_tensors(tr) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """The state now, as (tensors on the trainer's device, metadata)."""
    t = _module_tensors("G", tr.G) | _module_tensors("D", tr.D)
    if tr.G_ema is not None:
        t |= _module_tensors("G_ema", tr.G_ema)
    og, groups_g = _optimizer_tensors("opt_g", tr.opt_g)
    od, groups_d = _optimizer_tensors("opt_d", tr.opt_d)
    t |= og | od
    t["rng/data"] = tr.order.gen.get_state()
    t["rng/z"] = tr.gen_z.get_state()
    t["rng/gp"] = tr.gen_gp.get_state()
    t["data/perm"] = tr.order.perm
    meta = {
        "step": tr.step_count,
        "elapsed": round(tr.elapsed(), 3),
        "epoch": tr.order.epoch,
        "pos": tr.order.pos,
        "world_size": tr.order.world_size,  # pos counts this rank's shard
        "config": dataclasses.asdict(tr.cfg),
        "sample_shape": list(tr.dataset.sample_shape),
        "kind": tr.dataset.kind,
        "class_names": tr.cfg.class_names,  # also in config; here for readers of the header alone
        "opt_g_groups": groups_g,
        "opt_d_groups": groups_d,
        "versions": versions(),
    }
    return t, meta


def load_into(tr, tensors: dict[str, torch.Tensor], meta: dict[str, Any], source: Path) -> None:
    """Set ``tr``'s weights, optimisers, RNGs, data order and clock from a checkpoint's
    tensors and metadata; CheckpointError (naming ``source``) when they do not fit."""
    check_finite(source, tensors, ("G/", "D/", "G_ema/"))
    try:
        load_module(tr.G, "G", tensors)
        load_module(tr.D, "D", tensors)
        if tr.G_ema is not None:
            load_module(tr.G_ema, "G_ema" if any(k.startswith("G_ema/") for k in tensors) else "G", tensors)
        # load_state_dict keeps the given tensors (on CPU) and Adam updates them in place:
        # clone, or the remembered last good state would drift with training.
        opt = {k: v.clone() for k, v in tensors.items() if k.startswith("opt_")}
        fused = fused_adam(tr.device)
        tr.opt_g.load_state_dict(_optimizer_state("opt_g", opt, meta["opt_g_groups"], fused))
        tr.opt_d.load_state_dict(_optimizer_state("opt_d", opt, meta["opt_d_groups"], fused))
        _match_strides(tr.opt_g)
        _match_strides(tr.opt_d)
        tr.apply_lr()
        tr.order.gen.set_state(tensors["rng/data"])
        tr.gen_z.set_state(tensors["rng/z"])
        tr.gen_gp.set_state(tensors["rng/gp"])
        perm = tensors["data/perm"]
        tr.order.check(perm)
        step, epoch, pos = int(meta["step"]), int(meta["epoch"]), int(meta["pos"])
        if step < 0 or epoch < 0 or not 0 <= pos <= tr.order.n:
            raise ValueError(f"step {step}, epoch {epoch}, position {pos} are out of range")
        tr.order.restore(perm, epoch, pos, int(meta.get("world_size", 1)))
        tr.step_count = step
        if tr.dist is not None:
            reseed_rank(tr.gen_z, tr.gen_gp, tr.cfg.seed, tr.dist, step)
        tr.elapsed_before = float(meta.get("elapsed", 0.0))
    except CheckpointError:
        raise
    except (KeyError, ValueError, RuntimeError, TypeError) as e:
        raise CheckpointError(f"{source}: does not fit this run's model/data ({first_lines(e, 3)})") from None


def _module_tensors(prefix: str, module: nn.Module) -> dict[str, torch.Tensor]:
    return {f"{prefix}/{k}": v for k, v in module.state_dict().items()}


def _optimizer_tensors(prefix: str, opt: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], list[dict]]:
    sd = opt.state_dict()
    tensors = {}
    for idx, state in sd["state"].items():
        for k, v in state.items():
            tensors[f"{prefix}/{idx}/{k}"] = v if torch.is_tensor(v) else torch.tensor(v)
    return tensors, sd["param_groups"]


def _optimizer_state(
    prefix: str, tensors: dict[str, torch.Tensor], groups: list[dict], fused: bool | None = None
) -> dict[str, Any]:
    """An optimiser state_dict from checkpoint tensors and groups. ``fused`` is how this
    trainer runs Adam, whatever the run that saved the file did (not a hyper-parameter)."""
    state: dict[int, dict[str, torch.Tensor]] = {}
    for name, t in tensors.items():
        if name.startswith(prefix + "/"):
            idx, key = name[len(prefix) + 1 :].split("/", 1)
            state.setdefault(int(idx), {})[key] = t
    groups = [dict(g, betas=tuple(g["betas"])) if "betas" in g else dict(g) for g in groups]
    # load_state_dict keeps state whose index no group names under that raw index, where a
    # parameter belongs (a hostile header then broke _match_strides with an AttributeError).
    params = {i for g in groups for i in g.get("params", ()) if type(i) is int}
    stray = sorted(set(state) - params)
    if stray:
        raise ValueError(f"{prefix} holds state for parameters {stray[:5]} that its groups do not name")
    for g in groups:
        g["fused"], g["foreach"] = fused, None
    return {"state": state, "param_groups": groups}


def _match_strides(opt: torch.optim.Optimizer) -> None:
    """Lay each loaded moment out like its parameter: a checkpoint stores tensors contiguous,
    channels-last conv weights are not, and the fused Adam kernel walks a parameter and its
    moments in memory order (mismatched layouts would pair the wrong elements)."""
    for p, st in opt.state.items():
        for k, v in st.items():
            if torch.is_tensor(v) and v.shape == p.shape and v.stride() != p.stride():
                st[k] = torch.empty_like(p).copy_(v)
