"""Which device and number format a job runs on, and how to say so to a person.

``auto`` picks CUDA, then Apple MPS, else the CPU. Mixed precision is chosen where it pays:
bf16 on CPUs with AVX512-BF16 or AMX and on GPUs that support it, fp16 on older GPUs, fp32
otherwise. torch is imported inside the functions (the GUI starts without it).
"""

from __future__ import annotations

import functools
import platform
from dataclasses import dataclass
from typing import Literal

from bertdesk.core.errors import BertdeskError

DeviceRequest = Literal["auto", "cpu", "cuda", "mps"]
Precision = Literal["fp32", "bf16", "fp16"]
PrecisionRequest = Literal["auto", "fp32", "bf16", "fp16"]
DEVICE_CHOICES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")
PRECISION_CHOICES: tuple[str, ...] = ("auto", "fp32", "bf16", "fp16")
_CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")
GIB = 1024**3


class DeviceError(BertdeskError):
    """A requested device or precision is not available here."""


@dataclass(frozen=True)
class DeviceInfo:
    """One device a model can run on.

    Attributes:
        kind: ``cpu``, ``cuda`` or ``mps``.
        torch_device: the string torch takes, e.g. ``cuda:0``.
        name: the CPU model or GPU name.
        bf16: bf16 arithmetic is fast here.
        fp16: fp16 arithmetic is fast here (GPUs).
        free_bytes / total_bytes: GPU memory (``None`` for CPU and MPS).
    """

    kind: str
    torch_device: str
    name: str
    bf16: bool = False
    fp16: bool = False
    free_bytes: int | None = None
    total_bytes: int | None = None

    def describe(self) -> str:
        """One line, e.g. ``GPU: NVIDIA H200 (138.2 GiB free of 139.8 GiB)``."""
        if self.kind == "cuda":
            memory = f" ({(self.free_bytes or 0) / GIB:.1f} GiB free of {self.total_bytes / GIB:.1f} GiB)" if self.total_bytes else ""
            return f"GPU {self.torch_device}: {self.name}{memory}"
        if self.kind == "mps":
            return f"Apple GPU (MPS): {self.name}"
        return f"CPU: {self.name}" + (" (bf16)" if self.bf16 else "")


@functools.cache
def _cpuinfo(field: str) -> str:
    """The first ``field`` line of /proc/cpuinfo ("" where there is none, e.g. macOS, Windows)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith(field):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def training_attention(device: DeviceInfo) -> str | None:
    """The attention implementation training (and its speed calibration) loads a model with.

    On the CPU, eager: torch's SDPA backward in bf16 is slow there (a MiniLM step at batch 16
    spent 100 ms in backward with eager attention, 157 ms with SDPA; same math), eager was no
    slower in fp32 (SMS, 2 cores: 76.1 vs 72.5 samples/s), and its attention dropout goes
    through ``torch.nn.functional.dropout``, which split steps give a generator per part (SDPA's
    draws from torch's shared one, and a seed would no longer fix a split run). Elsewhere the
    model's default (SDPA on GPUs)."""
    return "eager" if device.kind == "cpu" else None


def cpu_flags() -> frozenset[str]:
    """CPU feature flags (empty where /proc/cpuinfo does not exist)."""
    return frozenset(_cpuinfo("flags").split())


def cpu_name() -> str:
    return _cpuinfo("model name") or platform.processor() or platform.machine() or "CPU"


def cpu_device() -> DeviceInfo:
    import os

    cores = os.cpu_count() or 1
    bf16 = any(flag in cpu_flags() for flag in _CPU_BF16_FLAGS)
    return DeviceInfo("cpu", "cpu", f"{cpu_name()}, {cores} cores", bf16=bf16)


def available_devices() -> list[DeviceInfo]:
    """Every device here, GPUs first, the CPU last."""
    import torch

    devices: list[DeviceInfo] = []
    if torch.cuda.is_available():
        devices += [cuda_device(index) for index in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append(DeviceInfo("mps", "mps", platform.machine() or "Apple silicon", fp16=True))
    devices.append(cpu_device())
    return devices


def cuda_device(index: int) -> DeviceInfo:
    """GPU ``index``, looking at no other GPU (each look starts a CUDA context on that GPU)."""
    import torch

    free, total = torch.cuda.mem_get_info(index)
    major, _minor = torch.cuda.get_device_capability(index)
    return DeviceInfo(
        "cuda",
        f"cuda:{index}",
        torch.cuda.get_device_name(index),
        bf16=major >= 8,  # Ampere and newer
        fp16=major >= 7,  # tensor cores from Volta on
        free_bytes=int(free),
        total_bytes=int(total),
    )


def process_device(request: str, local_rank: int) -> DeviceInfo:
    """The device of one process of a data-parallel run (torchrun): a GPU request (``auto`` with
    GPUs present, ``cuda``, ``cuda:N``) means this process's own GPU, ``cuda:LOCAL_RANK``, found
    without touching the others (eight processes each opening all eight GPUs would waste a CUDA
    context on every one); anything else as :func:`choose_device`."""
    request = (request or "auto").strip().lower()
    if request == "cpu":
        return cpu_device()
    import torch

    if (request == "auto" or request.startswith("cuda")) and torch.cuda.is_available():
        if local_rank >= torch.cuda.device_count():
            raise DeviceError(
                f"Process {local_rank} has no GPU of its own: this computer has {torch.cuda.device_count()}; "
                "start at most that many processes per machine."
            )
        return cuda_device(local_rank)
    return choose_device(request)


def choose_device(request: str = "auto") -> DeviceInfo:
    """The device for ``request`` (``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``)."""
    request = (request or "auto").strip().lower()
    if request == "cpu":
        return cpu_device()
    devices = available_devices()
    if request == "auto":
        return devices[0]
    for device in devices:
        if request in (device.kind, device.torch_device):
            return device
    present = ", ".join(d.torch_device for d in devices)
    raise DeviceError(f"Device {request!r} is not available on this computer (available: {present}).")


def choose_precision(device: DeviceInfo, request: str = "auto") -> Precision:
    """The number format for ``device``: ``auto`` picks bf16, then fp16 (GPU), else fp32."""
    request = (request or "auto").strip().lower()
    if request == "fp32":
        return "fp32"
    if request == "auto":
        if device.bf16:
            return "bf16"
        if device.fp16 and device.kind != "cpu":
            return "fp16"
        return "fp32"
    if request == "bf16":
        if device.kind == "cpu" or device.bf16:
            # bf16 runs on any CPU torch supports; only slower without the instructions.
            return "bf16"
        raise DeviceError(f"{device.name} does not support bf16; choose fp16 or fp32.")
    if request == "fp16":
        if device.kind == "cpu":
            raise DeviceError("fp16 is for GPUs; on the CPU choose bf16 or fp32.")
        return "fp16"
    raise DeviceError(f"Unknown precision {request!r}; choose one of {', '.join(PRECISION_CHOICES)}.")


def is_out_of_memory(err: BaseException) -> bool:
    """True for a GPU (or MPS) out-of-memory error, however torch phrased it."""
    try:
        import torch

        if isinstance(err, torch.OutOfMemoryError):
            return True
    except (ImportError, AttributeError):
        pass
    text = str(err).lower()
    return isinstance(err, RuntimeError) and ("out of memory" in text or "mps backend out of memory" in text)
