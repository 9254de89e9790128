"""Device and precision choice: what auto picks, what forcing an absent device says."""

from __future__ import annotations

import pytest

from bertdesk.core.ml.devices import DeviceError, DeviceInfo, choose_device, choose_precision, cpu_device, is_out_of_memory

CPU_BF16 = DeviceInfo("cpu", "cpu", "Some CPU, 8 cores", bf16=True)
CPU_PLAIN = DeviceInfo("cpu", "cpu", "Old CPU, 4 cores")
AMPERE = DeviceInfo("cuda", "cuda:0", "NVIDIA A100", bf16=True, fp16=True, free_bytes=70 * 2**30, total_bytes=80 * 2**30)
TURING = DeviceInfo("cuda", "cuda:0", "NVIDIA T4", fp16=True, free_bytes=15 * 2**30, total_bytes=16 * 2**30)
PASCAL = DeviceInfo("cuda", "cuda:0", "NVIDIA P100", free_bytes=15 * 2**30, total_bytes=16 * 2**30)


@pytest.mark.parametrize(
    ("device", "expected"), [(CPU_BF16, "bf16"), (CPU_PLAIN, "fp32"), (AMPERE, "bf16"), (TURING, "fp16"), (PASCAL, "fp32")]
)
def test_auto_precision_uses_what_the_hardware_is_fast_at(device: DeviceInfo, expected: str) -> None:
    assert choose_precision(device, "auto") == expected


def test_precision_can_be_turned_off_or_forced() -> None:
    assert choose_precision(AMPERE, "fp32") == "fp32"
    assert choose_precision(CPU_PLAIN, "bf16") == "bf16"  # slower without the instructions, but it runs
    assert choose_precision(AMPERE, "fp16") == "fp16"
    with pytest.raises(DeviceError, match="fp16 is for GPUs"):
        choose_precision(CPU_BF16, "fp16")
    with pytest.raises(DeviceError, match="does not support bf16"):
        choose_precision(TURING, "bf16")


def test_descriptions_say_what_was_chosen() -> None:
    assert AMPERE.describe() == "GPU cuda:0: NVIDIA A100 (70.0 GiB free of 80.0 GiB)"
    assert CPU_BF16.describe() == "CPU: Some CPU, 8 cores (bf16)"
    assert cpu_device().describe().startswith("CPU: ")


def test_cpu_is_always_there_and_an_absent_gpu_is_a_clear_error() -> None:
    import torch

    assert choose_device("cpu").kind == "cpu"
    assert choose_device("auto").kind == ("cuda" if torch.cuda.is_available() else choose_device("auto").kind)
    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match="'cuda' is not available on this computer"):
            choose_device("cuda")


def test_out_of_memory_is_recognised_however_torch_phrases_it() -> None:
    import torch

    assert is_out_of_memory(torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 MiB"))
    assert is_out_of_memory(RuntimeError("MPS backend out of memory (MPS allocated: 1 GB)"))
    assert not is_out_of_memory(RuntimeError("shape mismatch"))
    assert not is_out_of_memory(ValueError("out of memory"))


def test_a_process_of_a_distributed_run_looks_at_its_own_gpu_only(monkeypatch) -> None:
    # Simulated: no GPU here. Each look at a GPU starts a CUDA context there; eight torchrun
    # processes each listing all eight GPUs would waste 64 contexts.
    import torch

    from bertdesk.core.ml.devices import process_device

    looked: list[int] = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda index: (looked.append(index), (2**30, 2**31))[1])
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda index: (9, 0))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index: "NVIDIA H200")
    for request in ("auto", "cuda", "cuda:0"):
        device = process_device(request, 2)
        assert (device.kind, device.torch_device, device.bf16) == ("cuda", "cuda:2", True)
    assert looked == [2, 2, 2]
    assert process_device("cpu", 2).kind == "cpu"
    with pytest.raises(DeviceError, match="Process 5 has no GPU of its own: this computer has 4"):
        process_device("auto", 5)
