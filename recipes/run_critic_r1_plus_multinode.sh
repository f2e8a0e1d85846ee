#!/usr/bin/env bash
# LLaVA-Critic-R1+ on NNODES nodes x 8 GPUs. Run on the Ray head node (ray start --head there,
# ray start --address=HEAD:6379 on the others; the script waits up to
# CLUSTER_WAIT_S=600 s for them and checks them), or through examples/ray_submit.sh or
# examples/slurm_critic_r1.sbatch. DATA_DIR and CKPT_ROOT must be on storage all nodes share:
# every rank writes its own checkpoint shard.
# Usage: NNODES=2 bash recipes/run_critic_r1_plus_multinode.sh [hydra overrides...]
set -euo pipefail
source "$(dirname "$0")/common.sh"
NNODES=${NNODES:-2}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
MODEL_PATH=${MODEL_PATH:-russwang/ThinkLite-VL-7B}
EXPERIMENT=${EXPERIMENT:-critic_r1_plus_thinklite_vl_7b_${NNODES}nodes}

OVERRIDES=(
  +recipe=critic_r1_plus
  actor_rollout_ref.model.path="$MODEL_PATH"
  trainer.nnodes="$NNODES"
  trainer.n_gpus_per_node="$GPUS_PER_NODE"
  trainer.experiment_name="$EXPERIMENT"
  "${RUN_OVERRIDES[@]}" "$@"
)

prepare_data
wait_for_cluster "${OVERRIDES[@]}"
python -m verl.trainer.main_ppo "${OVERRIDES[@]}" "${VERL_EXTRA_ARGS[@]}"
