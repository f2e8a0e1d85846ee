#!/usr/bin/env bash
# Submit a critic-r1 run to a running Ray cluster as a Ray job, shipping this repo as working_dir
# (examples/runtime_env.yaml). Every node needs verl[vllm]==0.9.1 installed; critic_r1_ext itself
# travels with the job.
#
# Usage (from anywhere):
#   RAY_ADDRESS=http://HEAD:8265 NNODES=2 DATA_DIR=/shared/critic_r1 CKPT_ROOT=/shared/checkpoints \
#     bash examples/ray_submit.sh [recipes/run_critic_r1_plus_multinode.sh] [hydra overrides...]
# The job's recipe script waits (CLUSTER_WAIT_S, 600 s) for NNODES nodes and checks them before training.
# Then: ray job logs -f <id> / ray job status <id> / ray job stop <id> (same --address).
# DATA_DIR and CKPT_ROOT must be absolute paths on shared storage: data/ and checkpoints/ are not
# shipped. Set WANDB_API_KEY in the environment of `ray start` on the nodes, not here: job
# entrypoints are visible on the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."

RAY_ADDRESS=${RAY_ADDRESS:-http://127.0.0.1:8265}
SCRIPT=recipes/run_critic_r1_multinode.sh
if [[ $# -gt 0 && $1 == *.sh ]]; then
  SCRIPT=$1
  shift
fi

# The recipe scripts read these; pass the ones set here on to the job's driver.
FORWARD=()
for name in NNODES GPUS_PER_NODE DATA_DIR CKPT_ROOT MODEL_PATH EXPERIMENT LOGGER DRY_RUN CLUSTER_WAIT_S; do
  if [[ -n ${!name:-} ]]; then
    FORWARD+=("$name=${!name}")
  fi
done

ray job submit --address "$RAY_ADDRESS" --runtime-env examples/runtime_env.yaml --no-wait \
  -- env "${FORWARD[@]}" bash "$SCRIPT" "$@"
