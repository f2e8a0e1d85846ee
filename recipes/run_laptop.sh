#!/usr/bin/env bash
# The main job on any machine, no GPU: verl's real main_ppo loop with the critic_r1 recipe on the embedded
# default (a tiny random-init Qwen2.5-VL built here, the bundled sample), on the CPU (+recipe=critic_r1_smoke).
# 2 GRPO steps with the reference model and KL loss, validation and a checkpoint; a second run resumes from
# it to step 3; the checkpoint is exported to an HF folder and loaded back; then a summary of what it showed.
# Minutes on a laptop (docs/cpu_dry_run.md). Needs the package installed (pip install -e ".[test]").
# Usage: bash recipes/run_laptop.sh [OUT_DIR (runs/laptop)] [hydra overrides for both runs...]
set -euo pipefail
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO_DIR"
OUT=$(realpath -m "${1:-runs/laptop}")
shift $(($# > 0 ? 1 : 0))
# Each run starts fresh (an old checkpoint would be resumed); only a folder this script made is cleared.
if [[ -e $OUT && ! -e $OUT/.run_laptop && -n $(ls -A "$OUT") ]]; then
  echo "run_laptop.sh: $OUT exists and was not made by this script; pass another OUT_DIR" >&2
  exit 2
fi
rm -rf "$OUT" && mkdir -p "$OUT" && touch "$OUT/.run_laptop"
# RAY_ADDRESS=local: main_ppo starts its own Ray even when a `ray start` cluster runs on this machine
# (ray.init would join that one, and refuse the recipe's num_cpus/num_gpus).
export VERL_PLATFORM=cpu HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false RAY_ADDRESS=local

echo "[1/5] at ${SECONDS} s: tiny model -> $OUT/tiny_qwen2_5_vl"
python -m critic_r1_ext.tiny_model "$OUT/tiny_qwen2_5_vl" > "$OUT/prepare.log"
echo "[2/5] at ${SECONDS} s: bundled sample -> $OUT/data"
python -m data_prep.pairwise --input data_prep/sample/critic_sample.jsonl --out "$OUT/data" --val-frac 0.2 \
  >> "$OUT/prepare.log"

MAIN_PPO=(
  python -m verl.trainer.main_ppo +recipe=critic_r1_smoke
  actor_rollout_ref.model.path="$OUT/tiny_qwen2_5_vl"
  data.train_files="$OUT/data/train.parquet"
  data.val_files="$OUT/data/val.parquet"
  trainer.default_local_dir="$OUT/checkpoints"
  "$@"
)
# main_ppo runs in $OUT so that Hydra's outputs/ land there; verl's console goes to the screen and the log.
echo "[3/5] at ${SECONDS} s: main_ppo: 2 steps, validation, checkpoint (log: $OUT/train.log)"
(cd "$OUT" && "${MAIN_PPO[@]}") 2>&1 | tee "$OUT/train.log"
echo "[4/5] at ${SECONDS} s: main_ppo again: resumes from the checkpoint to step 3 (log: $OUT/resume.log)"
(cd "$OUT" && "${MAIN_PPO[@]}" trainer.total_training_steps=3) 2>&1 | tee "$OUT/resume.log"
echo "[5/5] at ${SECONDS} s: export the last checkpoint -> $OUT/hf, loaded back with transformers"
python -m critic_r1_ext.export --checkpoint "$OUT/checkpoints" --out "$OUT/hf" --check-load 2>&1 | tee "$OUT/export.log"

echo "run_laptop.sh: all steps done in ${SECONDS} s"
python -m critic_r1_ext.cpu.dry_run "$OUT"
