"""Turn a verl FSDP checkpoint into a Hugging Face folder that transformers and vLLM load.

    python -m critic_r1_ext.export --checkpoint checkpoints/critic_r1/critic_r1_qwen2_5_vl_7b --out critic_r1_7b

``--checkpoint`` may be the run's ``trainer.default_local_dir`` (the latest step is taken, as
``resume_mode=auto`` would), a ``global_step_N`` folder or its ``actor`` folder. The merge itself
is verl's ``python -m verl.model_merger merge --backend fsdp``; this wrapper finds the folder,
checks it has every file the merger reads (a missing or garbled one is a one-line error naming it,
exit code 2), runs the merger, and checks that the result has a config, weights and the processor
files (copying any the merger left out from the checkpoint's ``huggingface/`` folder). ``--check-load`` also loads the
weights with transformers and fails on missing or unexpected keys (needs the model's size in RAM).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

# What the processor needs besides the weights (Qwen2.5-VL: one of the two processor configs).
PROCESSOR_FILES = ("tokenizer_config.json", "chat_template.jinja", "preprocessor_config.json", "processor_config.json")
REQUIRED_PROCESSOR_FILES = ("tokenizer_config.json",)


TRACKER = "latest_checkpointed_iteration.txt"  # verl's get_checkpoint_tracker_filename


class ExportError(Exception):
    """A checkpoint or export problem, told in one line that names the file."""


def find_actor_dir(checkpoint: str | Path) -> Path:
    """The ``actor`` folder of ``checkpoint`` (a run folder, a ``global_step_N`` folder or the actor folder).

    A run folder is resolved through its tracker file as verl's ``find_latest_ckpt_path`` does, but a
    missing or garbled tracker, or a step folder it points to that is gone, is an ``ExportError``
    naming the file (verl's own reader raises a bare ``ValueError`` on a garbled one).
    """
    path = Path(checkpoint)
    if not path.is_dir():
        raise ExportError(f"{path}: no such folder")
    if (path / "fsdp_config.json").is_file():
        return check_actor_dir(path)
    if (path / "actor").is_dir():
        return check_actor_dir(path / "actor")
    steps = sorted(p.name for p in path.glob("global_step_*") if p.is_dir())
    have = f"; folders here: {', '.join(steps)}" if steps else ""
    tracker = path / TRACKER
    if not tracker.is_file():
        raise ExportError(
            f"{path}: no verl FSDP checkpoint here ({TRACKER} is missing{have}); pass trainer.default_local_dir, "
            "a global_step_N folder, or its actor/ folder"
        )
    text = tracker.read_text(errors="replace").strip()
    if not text.isdigit():
        raise ExportError(f"{tracker}: holds {text[:40]!r}, not a step number{have}; pass a global_step_N folder")
    step_dir = path / f"global_step_{int(text)}"
    if not (step_dir / "actor").is_dir():
        raise ExportError(f"{tracker}: says step {int(text)}, but {step_dir}/actor is missing{have}")
    return check_actor_dir(step_dir / "actor")


def check_actor_dir(actor_dir: Path) -> Path:
    """``actor_dir`` when it has what verl's merger reads (fsdp_config.json, every rank's shard, the HF config)."""
    config = actor_dir / "fsdp_config.json"
    if not config.is_file():
        raise ExportError(f"{config}: missing; {actor_dir} is not a verl FSDP actor checkpoint")
    try:
        world_size = int(json.loads(config.read_text())["world_size"])
    except (ValueError, KeyError, TypeError) as err:
        raise ExportError(
            f"{config}: unreadable ({type(err).__name__}: {err}); expected JSON with world_size"
        ) from None
    missing = [
        f"model_world_size_{world_size}_rank_{rank}.pt"
        for rank in range(world_size)
        if not (actor_dir / f"model_world_size_{world_size}_rank_{rank}.pt").is_file()
    ]
    if not (actor_dir / "huggingface" / "config.json").is_file():
        missing.append("huggingface/config.json")
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise ExportError(f"{actor_dir}: missing {shown}; the checkpoint was not fully written")
    return actor_dir


def run_verl_merger(actor_dir: Path, out: Path) -> None:
    """Run verl's own FSDP merger as a subprocess (its documented CLI)."""
    cmd = [
        sys.executable,
        "-m",
        "verl.model_merger",
        "merge",
        "--backend",
        "fsdp",
        "--local_dir",
        str(actor_dir),
        "--target_dir",
        str(out),
    ]
    print("+ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def complete_processor_files(actor_dir: Path, out: Path) -> list[str]:
    """Copy processor files present in the checkpoint's ``huggingface/`` but missing in ``out``."""
    copied = []
    for name in PROCESSOR_FILES:
        src, dst = actor_dir / "huggingface" / name, out / name
        if src.is_file() and not dst.exists():
            shutil.copy2(src, dst)
            copied.append(name)
    return copied


def verify_export(out: Path, check_load: bool = False) -> str:
    """Raise if ``out`` is not a loadable HF model folder; return the architecture name."""
    from transformers import AutoConfig, AutoProcessor

    config = AutoConfig.from_pretrained(out)
    weights = list(out.glob("*.safetensors")) or list(out.glob("pytorch_model*.bin"))
    if not weights:
        raise FileNotFoundError(f"{out}: no weight files after the merge")
    missing = [name for name in REQUIRED_PROCESSOR_FILES if not (out / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{out}: missing {missing}; the checkpoint's huggingface/ folder lacks them too")
    AutoProcessor.from_pretrained(out)
    if check_load:
        _load_strict(out, config)
    return config.architectures[0]


def _load_strict(out: Path, config) -> None:
    import torch
    from transformers import AutoModelForCausalLM
    from verl.utils.transformers_compat import get_auto_model_for_vision2seq

    is_vlm = "ForConditionalGeneration" in config.architectures[0]
    auto_cls = get_auto_model_for_vision2seq() if is_vlm else AutoModelForCausalLM
    _, info = auto_cls.from_pretrained(out, dtype=torch.bfloat16, output_loading_info=True)
    bad = {k: v for k, v in info.items() if k in ("missing_keys", "unexpected_keys", "mismatched_keys") and v}
    if bad:
        raise ValueError(f"{out}: transformers load reported {bad}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--checkpoint", required=True, help="run folder, global_step_N folder, or its actor/ folder")
    parser.add_argument("--out", required=True, help="target Hugging Face folder")
    parser.add_argument("--check-load", action="store_true", help="also load the weights with transformers")
    args = parser.parse_args(argv)

    try:
        actor_dir = find_actor_dir(args.checkpoint)
        out = Path(args.out)
        run_verl_merger(actor_dir, out)
        copied = complete_processor_files(actor_dir, out)
        arch = verify_export(out, check_load=args.check_load)
    except subprocess.CalledProcessError as err:
        print(
            f"export: error: verl's model merger failed (exit {err.returncode}); its output is above", file=sys.stderr
        )
        return 2
    except (ExportError, OSError, ValueError) as err:
        print(f"export: error: {err}", file=sys.stderr)
        return 2
    extra = f"; copied {copied} from the checkpoint" if copied else ""
    print(f"exported {actor_dir} -> {out} ({arch}){extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
