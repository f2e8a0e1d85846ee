"""verl's sync trainer plus the judge metrics per training step (``trainer.v1.trainer_mode=genrm_sync``).

verl 0.9.1's V1 trainer logs only the scalar reward per step (``compute_data_metrics``); a reward's
``reward_extra_info`` reaches the validation metrics and the dumps, not the step metrics. This subclass,
registered with verl's ``register_trainer``, reads the step's ``reward_extra_info`` back from
TransferQueue and adds ``genrm/*`` (``metrics.step_metrics``) to the metrics verl's logger writes.

verl looks the trainer up in its ``TaskRunner`` process before it loads anything of ours, so the
registration runs as a Ray ``worker_process_setup_hook`` (``setup``), set by ``+recipe=critic_genrm``.
"""

from __future__ import annotations

import os

import transfer_queue as tq
from verl.trainer.ppo.v1.trainer_base import register_trainer
from verl.trainer.ppo.v1.trainer_sync import PPOTrainerSync

from critic_r1_ext.genrm.metrics import step_metrics


@register_trainer("genrm_sync")
class GenRMSyncTrainer(PPOTrainerSync):
    def _compute_metrics(self, batch, metrics, timing_raw, global_steps, epoch):
        super()._compute_metrics(batch, metrics, timing_raw, global_steps, epoch)
        data = tq.kv_batch_get(keys=batch.keys, partition_id=batch.partition_id, select_fields=["extra_fields"])
        extra = data.pop("extra_fields").tolist()
        infos = [
            fields.get("reward_extra_info") or {}
            for fields, tag in zip(extra, batch.tags)
            if isinstance(fields, dict) and not tag.get("is_padding", False)
        ]
        metrics.update(step_metrics(infos))


def setup() -> None:
    """Ray ``worker_process_setup_hook``: importing this module registered ``genrm_sync``; on the CPU dry run
    (``VERL_PLATFORM=cpu``) also run the CPU plug-in's hook, which the recipe's single hook slot replaces."""
    if os.environ.get("VERL_PLATFORM") == "cpu":
        from critic_r1_ext.cpu.platform import init_process_group

        init_process_group()
