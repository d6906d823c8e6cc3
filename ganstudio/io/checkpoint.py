"""Checkpoint files: safetensors tensors + JSON metadata, written atomically, read safely.

Loading never unpickles: a file is checked byte-wise before safetensors parses it, and
``torch.load`` is never called, so a hostile file cannot run code. Every refusal is a
:class:`CheckpointError` whose message names the file and the reason.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save_file as st_save_file

from ganstudio.errors import CheckpointError

FORMAT = 1  # bump when the tensor naming or metadata layout changes
META_KEY = "ganstudio"
MAX_HEADER = 64 * 1024 * 1024  # a safetensors header is JSON; ours is a few KB


def save_checkpoint(path: str | os.PathLike, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> Path:
    """Write tensors + metadata atomically: temp file in the same folder, fsync, rename."""
    return write_cpu_copy(path, cpu_copy(tensors), meta)


def cpu_copy(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The one device->CPU copy a checkpoint makes; contiguous and unshared, as safetensors
    requires. Training may go on changing the originals while the copy is written."""
    return {k: v.detach().to("cpu", copy=True).contiguous() for k, v in tensors.items()}


def write_cpu_copy(path: str | os.PathLike, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> Path:
    """``save_checkpoint`` of tensors that are already a private CPU copy (``cpu_copy``):
    safe to call from a background thread while training runs."""
    path = Path(path)
    metadata = {META_KEY: json.dumps(dict(meta, format=FORMAT))}

    def write(tmp: Path) -> None:
        # save_file streams the tensors to the file: a fifth of the CPU of serialising them to
        # bytes first, and this runs beside training, on its cores (see bench/throughput.py).
        try:
            st_save_file(tensors, tmp, metadata=metadata)
        except SafetensorError as e:  # its I/O errors (disk full, no permission): OSError, as open()'s
            raise OSError(str(e)) from None
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())

    _atomic_write(path, write)
    return path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old file or the new, never a mix."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())

    _atomic_write(path, write)


def _atomic_write(path: Path, write) -> None:
    """``write(tmp)`` fills and fsyncs a temp file in path's folder, which then replaces path."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:  # makes the rename itself durable; not possible on every OS/filesystem
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sniff(path: Path, head: bytes, size: int) -> None:
    """Refuse anything that is not plausibly a safetensors file, before parsing it."""
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        raise CheckpointError(
            f"{path}: this is a Python pickle (e.g. a PyTorch .pt file); ganstudio only "
            "loads .safetensors checkpoints because pickles can run code"
        )
    if head[:4] == b"PK\x03\x04":
        raise CheckpointError(
            f"{path}: this is a zip archive (the format of torch.save / .pt files, which "
            "contain pickles); ganstudio only loads .safetensors checkpoints"
        )
    if size < 10:
        raise CheckpointError(f"{path}: file is too short ({size} bytes) to be a checkpoint")
    if head[8:9] != b"{":  # before the size: for a text file that "size" is just its first 8 letters
        raise CheckpointError(f"{path}: not a safetensors file (no JSON header)")
    (n,) = struct.unpack("<Q", head[:8])
    if n > size - 8 or n > MAX_HEADER:
        raise CheckpointError(
            f"{path}: header claims {n} bytes but the file holds {size}; truncated or not a checkpoint"
        )


def load_checkpoint(path: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a checkpoint: (tensors on CPU, metadata). Raises CheckpointError on any problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise CheckpointError(f"{path}: is a folder, not a checkpoint file") from None
    except OSError as e:
        raise CheckpointError(f"{path}: cannot read ({e.strerror or e})") from None
    _sniff(path, data[:16], len(data))
    try:
        tensors = st_load(data)
    except Exception as e:  # safetensors validates offsets, dtypes and sizes; any failure is a bad file
        raise CheckpointError(f"{path}: malformed safetensors file ({e})") from None
    meta = _metadata(path, data)
    return tensors, meta


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """Only the metadata (config, step, versions), reading just the header."""
    path = Path(path)
    return _metadata(path, _read_header(path))


def tensor_names(path: str | os.PathLike) -> list[str]:
    """The tensor names in a checkpoint's header, checked like ``read_metadata`` (a hostile
    header size is refused before anything is allocated)."""
    path = Path(path)
    data = _read_header(path)
    try:
        header = json.loads(data[8:])
    except (ValueError, RecursionError):
        raise CheckpointError(f"{path}: not a safetensors file (its header is not valid JSON)") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{path}: not a safetensors file (its header is not a JSON object)")
    return [k for k in header if k != "__metadata__"]


def _read_header(path: Path) -> bytes:
    """The size field and JSON header of a safetensors file (sniffed first), not the tensors."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            head = f.read(16)
            _sniff(path, head, size)
            (n,) = struct.unpack("<Q", head[:8])
            f.seek(0)
            return f.read(8 + n)
    except OSError as e:
        raise CheckpointError(f"{path}: cannot read ({e.strerror or e})") from None


def _metadata(path: Path, data: bytes) -> dict[str, Any]:
    (n,) = struct.unpack("<Q", data[:8])
    try:
        header = json.loads(data[8 : 8 + n])
        meta = json.loads(header["__metadata__"][META_KEY])
    except RecursionError:  # a hostile, deeply nested header: refuse, don't crash
        raise CheckpointError(f"{path}: its metadata is nested too deeply; not a ganstudio checkpoint") from None
    except (ValueError, KeyError, TypeError):
        raise CheckpointError(
            f"{path}: a safetensors file, but not a ganstudio checkpoint (no ganstudio metadata)"
        ) from None
    if not isinstance(meta, dict) or not isinstance(meta.get("format"), int):
        raise CheckpointError(f"{path}: ganstudio metadata is malformed")
    if meta["format"] > FORMAT:
        raise CheckpointError(
            f"{path}: written by a newer ganstudio (checkpoint format {meta['format']}); please upgrade"
        )
    return meta


def check_finite(path: Path, tensors: dict[str, torch.Tensor], prefixes: tuple[str, ...]) -> None:
    """Refuse weights holding NaN or Inf: they would only produce garbage."""
    for name, t in tensors.items():
        if name.startswith(prefixes) and t.is_floating_point() and not torch.isfinite(t).all():
            raise CheckpointError(f"{path}: tensor '{name}' contains NaN or infinite values")
