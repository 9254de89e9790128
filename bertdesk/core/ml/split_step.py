"""A CPU training step split by rows: each part's forward and backward in a thread of its own.

Why: on a CPU, a step of a small BERT on short texts is a few thousand small operations. Under
the PASSIVE OpenMP wait policy bertdesk runs with (``bertdesk/__init__``), each one that goes
parallel wakes a sleeping thread, and a bf16 matrix product as small as a short-text batch's
(256 x 384 x 384) ran no faster on two threads than on one (432 vs 437 GFLOP/s, 2-core EPYC
with AVX512-BF16). Two halves of the batch, each on one core, run side by side with no per-op
hand-off: 1.34-1.48x the samples/s of the whole batch on both cores (TREC questions, SMS, Rotten
Tomatoes snippets, the sample data), and unlike spinning threads they do not collapse beside a
busy process (a part waits for the other once a step, not once an operation).

The same gradients: each part's loss is its share of the whole batch's (weighted) mean, so the
parts' gradients sum to the batch's. Weights that both parts use accumulate their gradient
under autograd's own lock, and a sum of two terms is the same in either order.

The same run twice, to the last bit: dropout in a part draws from a generator of its own, seeded
from torch's default generator once a step in the calling thread (:func:`part_dropout`). Shared
between threads, the default generator would hand its numbers out in whichever order the
threads asked, and a seed would no longer fix the model. So every dropout must go through
``torch.nn.functional.dropout``: training on a CPU uses eager attention, and the last layer's
first-position shortcut drops its attention weights there too (fused attention kernels draw
their dropout from the shared generator).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from bertdesk.core.ml.training_config import TrainConfig

PARTS = 2  # measured on 2 cores; more parts of a 16-row batch leave too little in each
MIN_ROWS_PER_PART = 2

_local = threading.local()  # .generator: the dropout generator of the part this thread runs
_patch_lock = threading.Lock()
_patch_users = 0
_original_dropout: Any = None


def splits_steps(config: TrainConfig, device_kind: str, distributed: bool) -> bool:
    """Whether a run of ``config`` on this device splits its steps: asked for
    (``split_cpu_steps``), on a CPU, in one process, with two cores or more. Training and its
    speed calibration both ask here, so the estimate measures the steps the run takes."""
    if not config.split_cpu_steps or device_kind != "cpu" or distributed:  # DDP's gradient hooks expect one backward a step
        return False
    import torch

    return torch.get_num_threads() >= PARTS


class StepSplitter:
    """Runs one step's parts side by side; each worker thread uses its share of torch's threads.

    Use as a context manager: the workers are made on entry and ended on exit, and dropout in
    them draws from per-part generators while it is active.
    """

    def __init__(self, parts: int = PARTS) -> None:
        import torch

        self.parts = parts
        self._threads_before = torch.get_num_threads()
        self._per_part = max(1, self._threads_before // parts)
        self._pool: ThreadPoolExecutor | None = None
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> StepSplitter:
        import torch

        self._stack.callback(torch.set_num_threads, self._threads_before)  # run last, on exit
        self._stack.enter_context(part_dropout())
        # torch.set_num_threads in a worker sets its own OpenMP team size (and torch's default
        # for threads made later, restored on exit); the calling thread keeps all of them for
        # the optimizer step.
        self._pool = self._stack.enter_context(
            ThreadPoolExecutor(
                self.parts, thread_name_prefix="bertdesk-step-part", initializer=torch.set_num_threads, initargs=(self._per_part,)
            )
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool = None
        self._stack.close()  # the workers end, then dropout and the thread count are restored

    def backward(self, inputs: dict[str, torch.Tensor], part_loss: Callable[[dict[str, torch.Tensor]], torch.Tensor]) -> torch.Tensor:
        """Run ``part_loss`` on each part of ``inputs`` (split along rows) and back-propagate it.

        ``part_loss`` must return the part's share of the whole batch's loss (the parts' losses
        sum to it). Returns that sum, detached. The calling thread waits for every part; an error
        in one is raised here once all have ended.
        """
        import torch

        if self._pool is None:
            raise RuntimeError("StepSplitter is used outside its with-block.")
        pieces = split_rows(inputs, self.parts)
        # Drawn here, in order, from the default generator: the run's seed fixes every part's.
        seeds = [int(s) for s in torch.randint(0, 2**62, (len(pieces),))]
        futures = [self._pool.submit(_run_part, piece, seed, part_loss) for piece, seed in zip(pieces, seeds, strict=True)]
        losses = [future.result() for future in futures]
        total = losses[0]
        for loss in losses[1:]:
            total = total + loss
        return total


def _run_part(inputs: dict[str, torch.Tensor], seed: int, part_loss: Callable[[dict[str, torch.Tensor]], torch.Tensor]) -> torch.Tensor:
    import torch

    generator = getattr(_local, "generator", None)
    if generator is None:
        generator = _local.generator = torch.Generator()
    generator.manual_seed(seed)
    loss = part_loss(inputs)
    loss.backward()
    return loss.detach()


def split_rows(inputs: dict[str, torch.Tensor], parts: int) -> list[dict[str, torch.Tensor]]:
    """``inputs`` cut along the first (row) dimension into up to ``parts`` near-equal parts.

    Fewer parts when the batch is small (at least :data:`MIN_ROWS_PER_PART` rows each); values
    that are not tensors with a row per input are passed to every part unchanged.
    """
    rows = len(next(iter(inputs.values())))
    count = max(1, min(parts, rows // MIN_ROWS_PER_PART))
    bounds = [round(i * rows / count) for i in range(count + 1)]
    pieces = []
    for start, stop in zip(bounds, bounds[1:], strict=False):
        pieces.append({name: _rows(value, rows, start, stop) for name, value in inputs.items()})
    return pieces


def _rows(value: Any, rows: int, start: int, stop: int) -> Any:
    shape = getattr(value, "shape", None)
    if shape is not None and len(shape) >= 1 and shape[0] == rows:
        return value[start:stop]
    return value


@contextlib.contextmanager
def part_dropout() -> Iterator[None]:
    """While active, dropout in a thread running a step part draws from that part's generator.

    ``torch.nn.functional.dropout`` is replaced for the process (``nn.Dropout`` and
    transformers' attention call it through the module attribute); in every other thread, and
    outside training, it calls the original. Nested and concurrent uses share one replacement.
    """
    import torch.nn.functional as F

    global _patch_users, _original_dropout
    with _patch_lock:
        if _patch_users == 0:
            if _original_dropout is None:  # kept once taken: a call in flight at exit still finds it
                _original_dropout = F.dropout
            F.dropout = _dropout_with_part_generator
        _patch_users += 1
    try:
        yield
    finally:
        with _patch_lock:
            _patch_users -= 1
            if _patch_users == 0:
                F.dropout = _original_dropout


def _dropout_with_part_generator(input: torch.Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> torch.Tensor:
    generator = getattr(_local, "generator", None)
    if generator is None or not training or p == 0.0:
        result: torch.Tensor = _original_dropout(input, p, training, inplace)
        return result
    if p == 1.0:
        return input.zero_() if inplace else input * 0.0
    # As torch's CPU dropout computes it (a Bernoulli mask scaled by 1/(1-p)), from this
    # part's generator.
    keep = input.new_empty(input.shape).bernoulli_(1.0 - p, generator=generator).div_(1.0 - p)
    return input.mul_(keep) if inplace else input * keep
