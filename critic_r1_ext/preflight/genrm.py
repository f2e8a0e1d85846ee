"""Preflight of a critic-rewarded policy run (``+recipe=critic_genrm``): the reward-loop traps of verl 0.9.1
that are real, and a judge prompt that cannot fit the judge's context.

Each trap, as read in verl 0.9.1 (tests/preflight/test_genrm.py pins the evidence):

* colocated reward model (``enable_resource_pool=false``): ``PPOTrainer._compute_reward_colocate``
  (``trainer/ppo/v1/trainer_base.py``) reads only ``prompts``, ``responses`` and ``raw_prompt`` for the
  reward workers: no ``uid``, no ``data_source``, no reference answer. Confirmed.
* ``reward_model.rollout.free_cache_engine=true`` (verl's default): ``RewardModelManager.__init__`` puts
  the judge replicas to sleep; only ``RewardLoopManager.compute_rm_score`` (the colocated path) wakes
  them, so on the streaming path the judge stays asleep. Confirmed by the code.
* legacy top-level ``custom_reward_function`` / ``reward_model`` keys: ``main_ppo`` does not migrate
  them (``migrate_legacy_reward_impl`` is called by the fully-async entry only). Confirmed; the
  recipe check of ``preflight.config`` already reports them, so it is not repeated here.
* found by running: ``enable_resource_pool=true`` reserves the judge's GPUs even with
  ``reward_model.enable=false`` (``PPOTrainer`` resource pool spec), so an external-judge run asks for GPUs
  it never uses (on the CPU dry run: "Total available GPUs 1.0 is less than total desired GPUs 9").
* found while reading: with a reward model enabled and no ``reward.custom_reward_function.path``,
  ``RewardLoopWorker.compute_score`` posts to ``/classify`` (a discriminative RM) and never calls the
  reward manager.
"""

from __future__ import annotations

from dataclasses import fields

from omegaconf import OmegaConf

from critic_r1_ext.genrm.manager import GenRMOptions
from critic_r1_ext.genrm.modes import GROUP_MODES, MODES
from critic_r1_ext.preflight.checks import FAIL, PASS, WARN, Check
from critic_r1_ext.prompt import pairwise_prompt

CHARS_PER_TOKEN = 3  # a conservative estimate of the critic template's tokens (English text is ~4 chars/token)


def is_genrm(cfg) -> bool:
    """True when the run's reward manager is ``critic_r1_ext.genrm``'s."""
    return "critic_r1_ext.genrm" in str(OmegaConf.select(cfg, "reward.reward_manager.module.path") or "")


def check_genrm(cfg) -> list[Check]:
    rm = cfg.reward.reward_model
    kwargs = dict(cfg.reward.custom_reward_function.get("reward_kwargs") or {})
    checks = []
    if rm.enable and not rm.enable_resource_pool:
        checks.append(
            Check(
                "genrm colocated judge",
                FAIL,
                "reward.reward_model.enable_resource_pool=false: verl 0.9.1 then gives the reward workers only "
                "raw_prompt (no uid, no reference answer)",
                "set reward.reward_model.enable_resource_pool=true with its own nnodes/n_gpus_per_node.",
            )
        )
    if rm.enable and rm.rollout.free_cache_engine:
        checks.append(
            Check(
                "genrm judge asleep",
                FAIL,
                "reward.reward_model.rollout.free_cache_engine=true: verl puts the judge to sleep at start-up and, "
                "with its own resource pool, nothing wakes it",
                "set reward.reward_model.rollout.free_cache_engine=false.",
            )
        )
    if rm.enable and not cfg.reward.custom_reward_function.get("path"):
        checks.append(
            Check(
                "genrm /classify",
                FAIL,
                "reward.custom_reward_function.path is null with a reward model: verl scores with /classify and "
                "never calls the reward manager",
                "set reward.custom_reward_function.path=pkg://critic_r1_ext.genrm.rule (as +recipe=critic_genrm).",
            )
        )
    if not rm.enable and rm.enable_resource_pool:
        checks.append(
            Check(
                "genrm idle judge pool",
                FAIL,
                "reward.reward_model.enable=false but enable_resource_pool=true: verl still reserves "
                f"{rm.nnodes} x {rm.n_gpus_per_node} GPUs for a judge it never starts",
                "set reward.reward_model.enable_resource_pool=false with an external judge.",
            )
        )
    if not rm.enable and not kwargs.get("base_url"):
        checks.append(
            Check(
                "genrm judge",
                FAIL,
                "no judge: reward model disabled and no reward_kwargs.base_url",
                "set reward.reward_model.enable=true or +reward.custom_reward_function.reward_kwargs.base_url=URL.",
            )
        )
    checks += _options(cfg, kwargs)
    checks += _prompt_fits(cfg, kwargs)
    if cfg.trainer.v1.trainer_mode != "genrm_sync":
        checks.append(
            Check(
                "genrm metrics",
                WARN,
                f"trainer.v1.trainer_mode={cfg.trainer.v1.trainer_mode}: "
                "no genrm/* metrics per training step (validation and dumps still carry them)",
                "use trainer.v1.trainer_mode=genrm_sync with the recipe's worker_process_setup_hook.",
            )
        )
    elif OmegaConf.select(cfg, "ray_kwargs.ray_init.runtime_env.worker_process_setup_hook") != (
        "critic_r1_ext.genrm.trainer.setup"
    ):
        checks.append(
            Check(
                "genrm metrics",
                FAIL,
                "trainer_mode genrm_sync without its registration hook",
                "set ray_kwargs.ray_init.runtime_env.worker_process_setup_hook=critic_r1_ext.genrm.trainer.setup.",
            )
        )
    if not any(c.status == FAIL for c in checks):
        checks.append(
            Check(
                "genrm",
                PASS,
                f"mode={kwargs.get('mode', 'reference')}, judge "
                f"{'verl reward-model pool' if rm.enable else kwargs.get('base_url')}",
            )
        )
    return checks


def _options(cfg, kwargs: dict) -> list[Check]:
    checks = []
    mode = kwargs.get("mode", "reference")
    if mode not in MODES:
        checks.append(Check("genrm mode", FAIL, f"reward_kwargs.mode={mode!r}", f"use one of {MODES}."))
    others = sorted(set(kwargs) - {f.name for f in fields(GenRMOptions)})
    if others:
        checks.append(
            Check(
                "genrm options",
                WARN,
                f"reward_kwargs {others} are not CriticGenRM options: they go to the rule function only",
                "check their spelling against critic_r1_ext.genrm.manager.GenRMOptions.",
            )
        )
    rollout = cfg.actor_rollout_ref.rollout
    group = int(kwargs.get("group_size") or rollout.n)
    if mode in GROUP_MODES and cfg.trainer.test_freq > 0 and rollout.val_kwargs.n < group:
        checks.append(
            Check(
                "genrm validation",
                WARN,
                f"validation samples {rollout.val_kwargs.n} rollout(s) per prompt, fewer than the group of "
                f"{group}: each waits group_timeout_s, then is scored against the reference",
                f"set actor_rollout_ref.rollout.val_kwargs.n={group}, or accept the wait.",
            )
        )
    return checks


def _prompt_fits(cfg, kwargs: dict) -> list[Check]:
    """The longest judge prompt (the policy prompt, two answers, the critic's wording) against the judge's limits."""
    template = pairwise_prompt("", "", "", 0)
    need = cfg.data.max_prompt_length + 2 * cfg.data.max_response_length + len(template) // CHARS_PER_TOKEN
    budget = int(kwargs.get("max_tokens", GenRMOptions.max_tokens))
    rm = cfg.reward.reward_model
    if not rm.enable:
        return [
            Check(
                "genrm judge length",
                WARN,
                f"external judge: its context is not in this config; a judge "
                f"prompt can reach ~{need} tokens plus {budget} to answer",
                f"serve the critic with --max-model-len >= {need + budget} and --limit-mm-per-prompt for your images.",
            )
        ]
    checks = []
    limit = rm.rollout.prompt_length
    if need > limit:
        checks.append(
            Check(
                "genrm judge length",
                FAIL,
                f"a judge prompt can reach ~{need} tokens (max_prompt_length {cfg.data.max_prompt_length} + 2 x "
                f"max_response_length {cfg.data.max_response_length} + the critic's wording), over "
                f"reward.reward_model.rollout.prompt_length={limit}",
                f"raise reward.reward_model.rollout.prompt_length (and max_model_len) to >= {need}, or shorten the "
                "policy's prompts/answers.",
            )
        )
    if budget > rm.rollout.response_length:
        checks.append(
            Check(
                "genrm judge budget",
                FAIL,
                f"reward_kwargs.max_tokens={budget} is over "
                f"reward.reward_model.rollout.response_length={rm.rollout.response_length}",
                "lower max_tokens or raise the judge's response_length.",
            )
        )
    max_len = rm.rollout.max_model_len
    if max_len is not None and max_len < need + budget:
        checks.append(
            Check(
                "genrm judge context",
                FAIL,
                f"reward.reward_model.rollout.max_model_len={max_len} < {need} prompt + {budget} thinking tokens",
                f"set max_model_len >= {need + budget}.",
            )
        )
    if rm.rollout.limit_images is None:
        checks.append(
            Check(
                "genrm judge images",
                WARN,
                "reward.reward_model.rollout.limit_images is null: vLLM takes one image per prompt",
                "set it to the most images a row has (the authors use 10).",
            )
        )
    if not checks:
        checks.append(Check("genrm judge length", PASS, f"~{need} prompt + {budget} thinking tokens fit"))
    return checks
