"""CPU dry run of verl's real ``main_ppo`` loop: a ``cpu`` platform and an HF-transformers rollout server.

verl loads this package on every ``import verl`` through our ``verl.plugins`` entry point
(pyproject.toml). It does nothing unless ``VERL_PLATFORM=cpu``: GPU runs never import
``critic_r1_ext.cpu.platform`` or ``critic_r1_ext.cpu.rollout``. With ``VERL_PLATFORM=cpu`` it
registers, through verl's own registries, the ``cpu`` platform (gloo, the FSDP engines for device
``cpu``) and the ``hf`` rollout (``actor_rollout_ref.rollout.name=hf``), and builds the reference
model's CPU offload unpinned (``platform.use_unpinned_offload``). See docs/cpu_dry_run.md.

``grpo_loop`` and ``warm_start`` run GRPO steps through verl's engine workers on a CPU without
``main_ppo``, for the tests and ``benchmarks/grpo_cpu.py`` (docs/cpu_grpo.md).
"""

import logging
import os

if os.environ.get("VERL_PLATFORM", "").strip().lower() == "cpu":
    try:
        from critic_r1_ext.cpu import platform, rollout  # noqa: F401  (importing registers them)

        platform.use_unpinned_offload()
    except Exception:
        # verl logs a failed plugin at debug level only; say it loudly, then let verl carry on.
        logging.getLogger(__name__).exception("critic_r1_ext.cpu: registering the cpu platform failed")
        raise
