# Shared by the run_*.sh scripts (sourced, not run): paths, data preparation, logger, dry run.
# Every setting is an environment variable with the paper's default; extra Hydra overrides go
# to the scripts as arguments.

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_DIR"

DATA_DIR=${DATA_DIR:-data/critic_r1}
CKPT_ROOT=${CKPT_ROOT:-checkpoints}

# Console and TensorBoard always (TensorBoard writes to $TENSORBOARD_DIR, verl's default is
# tensorboard_log/<project>/<experiment>); Weights & Biases too when WANDB_API_KEY is set.
LOGGER=${LOGGER:-$([[ -n ${WANDB_API_KEY:-} ]] && echo "[console,tensorboard,wandb]" || echo "[console,tensorboard]")}

# The overrides every run shares: where data and checkpoints live, and the loggers.
RUN_OVERRIDES=(
  data.train_files="$DATA_DIR/train.parquet"
  data.val_files="$DATA_DIR/val.parquet"
  trainer.default_local_dir="$CKPT_ROOT/\${trainer.project_name}/\${trainer.experiment_name}"
  trainer.logger="$LOGGER"
)

# DRY_RUN=1: skip data preparation and let verl print the composed config instead of training.
VERL_EXTRA_ARGS=()
if [[ ${DRY_RUN:-0} == 1 ]]; then
  VERL_EXTRA_ARGS=(--cfg job)
fi

prepare_data() {
  # Writes $DATA_DIR/{train,val}.parquet once; delete them to rebuild.
  if [[ ${DRY_RUN:-0} == 1 || (-f $DATA_DIR/train.parquet && -f $DATA_DIR/val.parquet) ]]; then
    return 0
  fi
  # >>> data preparation: the released LLaVA-Critic-R1 RL set (lmms-lab/LLaVA-Critic-GRPO-dataset) <<<
  python -m data_prep.llava_critic_grpo --input lmms-lab/LLaVA-Critic-GRPO-dataset --out "$DATA_DIR"
}

wait_for_cluster() {
  # Multi-node: wait up to CLUSTER_WAIT_S (600) seconds until trainer.nnodes nodes with
  # n_gpus_per_node GPUs each have joined the Ray cluster (RAY_ADDRESS, else this machine's), then
  # check versions, data and checkpoint paths and NCCL settings on every node; stop on any FAIL.
  # Arguments: the run's Hydra overrides.
  if [[ ${DRY_RUN:-0} == 1 ]]; then
    return 0
  fi
  python -m critic_r1_ext.preflight --on-cluster --wait-for-cluster "${CLUSTER_WAIT_S:-600}" "$@"
}
