"""A CPU platform for verl's platform plugin API: the gloo backend and a ``torch.cpu`` device module.

verl 0.9.1 ships CUDA, NPU and ROCm platforms only; with no accelerator it falls back to "nvidia"
(NCCL, ``torch.cuda``), so its engine cannot start on a CPU. ``use_cpu_platform()`` registers this
class with ``PlatformRegistry`` and installs it with ``set_platform`` (verl's own hooks, no patching);
call it before verl's engine modules are first used. Only the CPU GRPO loop uses it.
"""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

import torch
from verl.plugin.platform import PlatformBase, PlatformRegistry, set_platform


def _cpu_device_module():
    """``torch.cpu`` plus the memory/RNG calls verl makes on ``get_torch_device()`` (no-ops on a CPU)."""
    zero = lambda *args, **kwargs: 0  # noqa: E731
    none = lambda *args, **kwargs: None  # noqa: E731
    return SimpleNamespace(
        **{
            name: getattr(torch.cpu, name)
            for name in (
                "current_device",
                "current_stream",
                "device_count",
                "is_available",
                "set_device",
                "stream",
                "synchronize",
            )
        },
        get_device_name=lambda *args, **kwargs: "cpu",
        empty_cache=none,
        set_per_process_memory_fraction=none,
        memory_allocated=zero,
        memory_reserved=zero,
        max_memory_allocated=zero,
        max_memory_reserved=zero,
        reset_peak_memory_stats=none,
        mem_get_info=lambda *args, **kwargs: (0, 0),
        manual_seed=torch.manual_seed,
        manual_seed_all=torch.manual_seed,
        get_rng_state=torch.get_rng_state,
        set_rng_state=torch.set_rng_state,
    )


@PlatformRegistry.register(platform="cpu")
class CPUPlatform(PlatformBase):
    """Device "cpu", backend gloo; profiling hooks are no-ops."""

    def __init__(self):
        self._module = _cpu_device_module()

    device_name = property(lambda self: "cpu")
    vendor_name = property(lambda self: "cpu")
    device_module = property(lambda self: self._module)

    def is_available(self) -> bool:
        return True

    def is_platform_available(self, use_smi_check=False) -> bool:
        return False  # never auto-detected: only use_cpu_platform() installs it

    def current_device(self) -> str:
        return "cpu"  # verl passes this to ``.to()``: an index would mean cuda:<index>

    def device_count(self) -> int:
        return 1

    def set_device(self, device_index: int) -> None:
        return None

    def synchronize(self, device_index=None) -> None:
        return None

    def manual_seed(self, seed: int) -> None:
        torch.manual_seed(seed)

    def manual_seed_all(self, seed: int) -> None:
        torch.manual_seed(seed)

    def set_allocator_settings(self, settings: str) -> None:
        return None

    def empty_cache(self) -> None:
        return None

    def get_device_capability(self, device_index: int = 0):
        return None, None

    def communication_backend_name(self) -> str:
        return "gloo"

    def visible_devices_envvar(self) -> str:
        return "CUDA_VISIBLE_DEVICES"

    def ray_resource_name(self) -> str:
        return "CPU"

    def ray_noset_envvars(self) -> list[str]:
        return []

    def is_ipc_supported(self) -> bool:
        return False

    def cudart(self):
        return None

    @contextmanager
    def nvtx_range(self, msg: str):
        yield

    def profiler_start(self) -> None:
        return None

    def profiler_stop(self) -> None:
        return None


def use_cpu_platform() -> CPUPlatform:
    """Install the CPU platform as verl's process-wide platform and return it."""
    platform = CPUPlatform()
    set_platform(platform)
    return platform
