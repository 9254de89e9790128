"""Data-parallel training across processes started by ``torchrun`` or ``accelerate launch``.

Those launchers start one process per GPU (or per CPU slot) and tell each its place in the
environment: ``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``. bertdesk reads them here. Rank 0 is the
*leader*: it alone reads and writes the project, prints progress and saves the model; the
other ranks (*followers*) receive the rows and settings from it, train their share of every
batch (the Hugging Face Trainer wraps the model in ``DistributedDataParallel``) and write
nothing, not even a temp folder.

Every decision that ends the training loop must be taken by all ranks at the same step, or
the ones still training would wait for the others forever: a cancel (Ctrl+C reaches each rank
through torchrun) is agreed with :func:`any_rank`, and validation is scored on all ranks'
predictions gathered together (:func:`gather`), so early stopping decides alike everywhere.
Control messages travel over a gloo group on the CPU, whatever carries the gradients (NCCL on
GPUs). torch is imported inside the functions.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Ranks:
    """This process's place in a data-parallel run (``size`` 1: a plain single-process run)."""

    rank: int = 0
    local_rank: int = 0
    size: int = 1

    @property
    def leader(self) -> bool:
        """Rank 0: the one process that reads and writes files and reports progress."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1


SINGLE = Ranks()


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def current() -> Ranks:
    """This process's ranks as the launcher set them (``SINGLE`` when not launched by one)."""
    size = _int_env("WORLD_SIZE", 1)
    if size <= 1:
        return SINGLE
    return Ranks(rank=_int_env("RANK", 0), local_rank=_int_env("LOCAL_RANK", 0), size=size)


_control_group: Any = None


def start(device_kind: str) -> Ranks:
    """Join the launcher's process group (NCCL for GPUs, gloo for the CPU) unless already joined;
    returns this process's ranks. A no-op outside a launcher."""
    ranks = current()
    if not ranks.distributed:
        return ranks
    import torch.distributed as dist

    global _control_group
    if not dist.is_initialized():
        if device_kind == "cuda":
            import torch

            torch.cuda.set_device(ranks.local_rank)
        dist.init_process_group(backend=backend_for(device_kind))
    if _control_group is None:
        _control_group = dist.new_group(backend="gloo") if dist.get_backend() != "gloo" else dist.group.WORLD
    return ranks


def backend_for(device_kind: str) -> str:
    """The collective backend for the gradients: NCCL between GPUs, gloo between CPU processes."""
    return "nccl" if device_kind == "cuda" else "gloo"


def broadcast(value: T | None, ranks: Ranks) -> T | None:
    """The leader's ``value`` on every rank (followers pass None)."""
    if not ranks.distributed:
        return value
    import torch.distributed as dist

    box: list[Any] = [value]
    dist.broadcast_object_list(box, src=0, group=_control_group)
    return box[0]  # type: ignore[no-any-return]


def any_rank(flag: bool, ranks: Ranks) -> bool:
    """True on every rank when ``flag`` is true on at least one (a cancel, a stop)."""
    if not ranks.distributed:
        return flag
    import torch
    import torch.distributed as dist

    value = torch.tensor([1 if flag else 0], dtype=torch.int32)
    dist.all_reduce(value, op=dist.ReduceOp.MAX, group=_control_group)
    return bool(value.item())


def gather(values: Sequence[T], ranks: Ranks) -> list[list[T]]:
    """Every rank's ``values``, in rank order, on every rank."""
    if not ranks.distributed:
        return [list(values)]
    import torch.distributed as dist

    out: list[Any] = [None] * ranks.size
    dist.all_gather_object(out, list(values), group=_control_group)
    return out


def shard(count: int, ranks: Ranks) -> range:
    """The positions of ``count`` rows this rank scores (contiguous, near-equal shares)."""
    per, extra = divmod(count, ranks.size)
    start_at = ranks.rank * per + min(ranks.rank, extra)
    return range(start_at, start_at + per + (1 if ranks.rank < extra else 0))


def finish(ranks: Ranks) -> None:
    """Leave the process group cleanly (torch warns at exit otherwise)."""
    global _control_group
    if not ranks.distributed:
        return
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()
    _control_group = None
