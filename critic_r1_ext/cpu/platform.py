"""verl's ``cpu`` platform: torch on CPU, gloo collectives, Ray "GPU" slots as stand-ins for devices.

Registered with ``PlatformRegistry`` (verl's platform plugin API) and selected by ``VERL_PLATFORM=cpu``.
Also registers verl's own FSDP engines for device ``cpu`` with ``EngineRegistry.register`` (verl
registers them for cuda and npu only), builds the reference model's CPU offload without pinned host
memory (``unpinned_offload_policy``: the one verl line this plug-in stands in for), and offers
``init_process_group``, a Ray ``worker_process_setup_hook`` for verl's training workers (see its
docstring for why).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import timedelta
from types import ModuleType

import torch
from torch.distributed.fsdp import CPUOffloadPolicy
from verl.plugin.platform import PlatformBase, PlatformRegistry, set_platform


class _CpuDeviceModule(ModuleType):
    """What verl calls on ``get_torch_device()`` (``torch.cuda`` on GPUs), answered for the CPU.

    Only the calls verl 0.9.1 makes on the training path; anything else raises AttributeError.
    Device-memory statistics are 0: there is no separate device memory.
    """

    Event = torch.cpu.Event
    Stream = torch.cpu.Stream
    current_stream = staticmethod(torch.cpu.current_stream)
    stream = staticmethod(torch.cpu.stream)
    synchronize = staticmethod(torch.cpu.synchronize)
    get_rng_state = staticmethod(lambda device=None: torch.get_rng_state())
    set_rng_state = staticmethod(lambda state, device=None: torch.set_rng_state(state))

    def __init__(self):
        super().__init__("critic_r1_ext.cpu.device")

    @staticmethod
    def is_available() -> bool:
        return True

    @staticmethod
    def device_count() -> int:
        return 1

    @staticmethod
    def current_device() -> torch.device:
        return torch.device("cpu")

    @staticmethod
    def set_device(device=None) -> None:
        """Nothing to select: there is one CPU device."""

    @staticmethod
    def get_device_name(device=None) -> str:
        return "cpu"

    @staticmethod
    def manual_seed(seed: int) -> None:
        torch.manual_seed(seed)

    manual_seed_all = manual_seed

    @staticmethod
    def empty_cache() -> None:
        """No device cache to free."""

    ipc_collect = empty_cache

    @staticmethod
    def set_per_process_memory_fraction(fraction, device=None) -> None:
        """No device memory to cap."""

    @staticmethod
    def mem_get_info(device=None) -> tuple[int, int]:
        """(free, total) host memory in bytes, as ``torch.cuda.mem_get_info`` reports device memory."""
        page = os.sysconf("SC_PAGE_SIZE")
        return os.sysconf("SC_AVPHYS_PAGES") * page, os.sysconf("SC_PHYS_PAGES") * page

    @staticmethod
    def memory_allocated(device=None) -> int:
        return 0

    memory_reserved = max_memory_allocated = max_memory_reserved = memory_allocated


@PlatformRegistry.register(platform="cpu")
class PlatformCPU(PlatformBase):
    """Selected only by ``VERL_PLATFORM=cpu``; never auto-detected, so GPU hosts are unaffected."""

    _device_module = _CpuDeviceModule()

    @property
    def device_name(self) -> str:
        return "cpu"

    @property
    def vendor_name(self) -> str:
        return "cpu"

    @property
    def device_module(self) -> ModuleType:
        return self._device_module

    def is_available(self) -> bool:
        return True

    def is_platform_available(self, use_smi_check=False) -> bool:
        return False

    def current_device(self) -> torch.device:
        # verl passes this to ``.to()`` and ``device=``, where an integer would mean ``cuda:<index>``.
        return torch.device("cpu")

    def device_count(self) -> int:
        return 1

    def set_device(self, device_index: int) -> None:
        """Nothing to select: there is one CPU device."""

    def synchronize(self, device_index=None) -> None:
        """CPU ops are synchronous."""

    def manual_seed(self, seed: int) -> None:
        torch.manual_seed(seed)

    def manual_seed_all(self, seed: int) -> None:
        torch.manual_seed(seed)

    def set_allocator_settings(self, settings: str) -> None:
        """The CPU allocator takes no CUDA allocator settings."""

    def empty_cache(self) -> None:
        """No device cache to free."""

    def get_device_capability(self, device_index: int = 0):
        return None, None

    def communication_backend_name(self) -> str:
        return "gloo"

    def visible_devices_envvar(self) -> str:
        # Ray sets it for the fake "GPU" slots it hands out; a CPU build of torch ignores it.
        return "CUDA_VISIBLE_DEVICES"

    @contextmanager
    def nvtx_range(self, msg: str):
        yield

    def profiler_start(self) -> None:
        """No device profiler."""

    def profiler_stop(self) -> None:
        """No device profiler."""

    def ray_resource_name(self) -> str:
        # verl's ResourcePoolManager counts Ray "GPU" (or NPU) resources only, so a CPU run starts Ray
        # with logical GPUs (ray_kwargs.ray_init.num_gpus) that only place the workers.
        return "GPU"

    def ray_noset_envvars(self) -> list[str]:
        return []

    def is_ipc_supported(self) -> bool:
        return False

    def cudart(self):
        return None


def use_cpu_platform() -> PlatformCPU:
    """Install this platform process-wide with verl's ``set_platform`` and return it.

    For the engine-level GRPO loop (``critic_r1_ext.cpu.grpo_loop``), which builds verl's workers in
    its own process without ``main_ppo``; the dry run selects the platform with ``VERL_PLATFORM=cpu``.
    """
    platform = PlatformCPU()
    set_platform(platform)
    use_unpinned_offload()
    return platform


def init_process_group() -> None:
    """Ray ``worker_process_setup_hook``: give verl's training workers a gloo process group.

    verl 0.9.1 starts it in ``TrainingWorker.__init__`` with ``initialize_global_process_group_ray``
    (verl/utils/distributed.py:83), whose backend string ``cpu:gloo,{device}:{backend}`` becomes
    ``cpu:gloo,cpu:gloo`` on this platform, which torch rejects (duplicate device type). verl skips
    the call when a group exists, so this hook starts the same group (gloo, verl's rank, world size
    and rendezvous from the env vars its RayWorkerGroup sets) in those workers, and does nothing in
    every other Ray worker process. A verl hook that would make it unnecessary: let the platform
    return the whole ``init_process_group`` backend string.
    """
    keys = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
    if not all(k in os.environ for k in keys) or torch.distributed.is_initialized():
        return
    torch.distributed.init_process_group(
        backend="gloo",
        rank=int(os.environ["RANK"]),
        world_size=int(os.environ["WORLD_SIZE"]),
        timeout=timedelta(minutes=30),
    )


# Imported after the platform is registered: verl's engine modules resolve the platform at import.
from verl.workers.engine import base as _engine_base  # noqa: E402
from verl.workers.engine.fsdp import transformer_impl as _transformer_impl  # noqa: E402

_engine_base.EngineRegistry.register(model_type="language_model", backend=["fsdp", "fsdp2"], device="cpu")(
    _transformer_impl.FSDPEngineWithLMHead
)
_engine_base.EngineRegistry.register(model_type="value_model", backend=["fsdp", "fsdp2"], device="cpu")(
    _transformer_impl.FSDPEngineWithValueHead
)


def unpinned_offload_policy(pin_memory: bool = True) -> CPUOffloadPolicy:
    """Stands in for ``CPUOffloadPolicy`` in verl's FSDP engine module: the same policy, host memory not pinned.

    verl 0.9.1 builds ``CPUOffloadPolicy(pin_memory=True)`` for every forward-only FSDP2 engine (the
    reference model) and for ``fsdp_config.offload_policy=true``
    (``verl/workers/engine/fsdp/transformer_impl.py:462``, in ``FSDPEngine._build_fsdp_module``), and
    ``fully_shard`` then pins host memory, which needs a CUDA driver. That line is the module's only
    call of the name (the others are its import and a not-None assert; tests/cpu/test_cpu_plugin.py
    reads verl's source), so rebinding the name there changes that one choice and nothing else. GPU
    runs never import this module. The verl hook that would replace it: a key for the offload policy's
    ``pin_memory``, or ``pin_memory=False`` when the platform has no accelerator.
    """
    return CPUOffloadPolicy(pin_memory=False)


def use_unpinned_offload() -> None:
    """Install :func:`unpinned_offload_policy` in verl's FSDP engine module (this process only).

    Called by the plug-in only with ``VERL_PLATFORM=cpu`` and by :func:`use_cpu_platform`; importing
    this module alone (pytest's doctest collection does) leaves verl as it is.
    """
    _transformer_impl.CPUOffloadPolicy = unpinned_offload_policy
