#!/usr/bin/env bash
# LLaVA-Critic-R1+ (from ThinkLite-VL-7B, LR 5e-7) on one node with 8 GPUs, as in the paper.
# Usage: bash recipes/run_critic_r1_plus_1node.sh [hydra overrides...]
# Env: DATA_DIR (data/critic_r1), MODEL_PATH, CKPT_ROOT (checkpoints), WANDB_API_KEY, DRY_RUN=1.
set -euo pipefail
source "$(dirname "$0")/common.sh"
MODEL_PATH=${MODEL_PATH:-russwang/ThinkLite-VL-7B}

prepare_data
python -m verl.trainer.main_ppo +recipe=critic_r1_plus \
  actor_rollout_ref.model.path="$MODEL_PATH" \
  "${RUN_OVERRIDES[@]}" "$@" "${VERL_EXTRA_ARGS[@]}"
