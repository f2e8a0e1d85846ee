"""``CriticGenRM``: a verl reward manager that rewards a policy's rollouts with a pairwise critic.

Select it with stock verl keys (``+recipe=critic_genrm`` sets them)::

    reward.reward_manager.source=importlib
    reward.reward_manager.module.path=pkg://critic_r1_ext.genrm.manager
    reward.reward_manager.name=CriticGenRM
    reward.custom_reward_function.path=pkg://critic_r1_ext.genrm.rule   # the rule term of the mix; see below
    reward.custom_reward_function.reward_kwargs.mode=reference         # options: ``GenRMOptions``

The options live in ``reward.custom_reward_function.reward_kwargs``, which verl also binds to the rule
function; keys that are not ``GenRMOptions`` fields are the rule function's (the preflight lists them).
The custom function must be set whenever ``reward.reward_model.enable`` is:
without one, verl's ``RewardLoopWorker.compute_score`` treats the reward model as discriminative and
posts to ``/classify``, bypassing any manager.

verl calls ``run_single`` once per rollout, streaming, on a reward worker drawn at random; the sample
carries ``uid``, ``session_id``, ``raw_prompt`` (question and PIL images), ``reward_model.ground_truth``
(the reference answer) and ``data_source``. Group modes meet their siblings on ``groups.GroupBoard``.
Every sample returns the same numeric ``reward_extra_info`` keys (``genrm_*``); ``trainer`` logs them
per step. A judge that fails or answers garbage gives ``neutral_reward``, counted in ``genrm_neutral``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
from collections import OrderedDict
from dataclasses import dataclass, fields

from verl import DataProto
from verl.experimental.reward_loop.reward_manager.base import RewardManagerBase

from critic_r1_ext.genrm import modes
from critic_r1_ext.genrm.client import ChatClient
from critic_r1_ext.genrm.groups import ALONE, LEAD, board
from critic_r1_ext.genrm.judge import Judge, data_url, question_and_images

logger = logging.getLogger(__name__)
COUNTS = ("judge_calls", "judge_failures", "parse_failures", "position1_votes", "decisive_votes")
COUNTS += ("swap_pairs", "swap_consistent")


@dataclass
class GenRMOptions:
    """``reward.custom_reward_function.reward_kwargs`` of a critic-rewarded run (defaults in brackets)."""

    mode: str = "reference"  # reference | anchor | round_robin | knockout
    both_orders: bool = True  # judge every pair in both positions, so position bias cancels
    base_url: str | None = None  # external judge, e.g. http://judge-node:8000/v1; else verl's reward router
    model: str | None = None  # model name sent to the judge; default reward.reward_model.model_path
    prompt: str = "project"  # project (the training wording) | authors (the authors' evaluation prompt)
    max_tokens: int = 2048  # the judge's thinking budget (its <think> and verdict)
    temperature: float = 0.0
    answer_only: bool = True  # show the critic the rollout's text after its last </think>
    max_concurrency: int = 64  # judge calls in flight per reward worker
    timeout_s: float = 300.0  # per judge call
    max_retries: int = 3
    backoff_s: float = 1.0
    group_size: int | None = None  # members of a group; default actor_rollout_ref.rollout.n
    group_timeout_s: float = 600.0  # after this, a group still short falls back to ``reference``
    neutral_reward: float = 0.5  # critic reward of a rollout without any valid verdict
    alpha: float = 0.0  # final = alpha * rule + (1 - alpha) * critic; rule: reward.custom_reward_function
    seed: int = 0  # anchor draws

    @classmethod
    def from_config(cls, config) -> GenRMOptions:
        kwargs = dict(config.reward.custom_reward_function.get("reward_kwargs") or {})
        known = {f.name for f in fields(cls)}
        opts = cls(**{k: v for k, v in kwargs.items() if k in known})  # the others are the rule function's
        if opts.mode not in modes.MODES:
            raise ValueError(f"reward_kwargs.mode={opts.mode!r}: expected one of {modes.MODES}")
        if not 0.0 <= opts.alpha <= 1.0:
            raise ValueError(f"reward_kwargs.alpha={opts.alpha}: expected a weight in [0, 1]")
        if opts.group_size is None:
            opts.group_size = int(config.actor_rollout_ref.rollout.n)
        return opts


def extra_keys(opts: GenRMOptions) -> list[str]:
    """The ``reward_extra_info`` keys every sample returns."""
    keys = ["genrm_critic", "genrm_fallback", "genrm_neutral", *(f"genrm_{c}" for c in COUNTS)]
    keys += sorted({f"genrm_reward_{opts.mode}", "genrm_reward_reference"})
    return keys + (["genrm_rule", "genrm_rule_failures"] if opts.alpha > 0 else [])


class CriticGenRM(RewardManagerBase):
    """Per-rollout rewards from a pairwise critic behind an OpenAI-compatible chat endpoint."""

    def __init__(self, config, tokenizer, compute_score, reward_router_address=None, reward_model_tokenizer=None):
        super().__init__(config, tokenizer, compute_score)
        rm = config.reward.reward_model
        if rm.enable and not rm.enable_resource_pool:
            raise ValueError(
                "CriticGenRM needs reward.reward_model.enable_resource_pool=true: with a colocated reward model "
                "verl 0.9.1 sends only raw_prompt to the reward workers (no uid, no reference answer)."
            )
        self.opts = GenRMOptions.from_config(config)
        base_url = self.opts.base_url or (f"http://{reward_router_address}/v1" if reward_router_address else None)
        if base_url is None:
            raise ValueError(
                "CriticGenRM has no judge: set reward.reward_model.enable=true (verl serves the critic) "
                "or reward.custom_reward_function.reward_kwargs.base_url=http://<judge>:<port>/v1"
            )
        model = self.opts.model or rm.get("model_path") or "critic"
        client = ChatClient(
            base_url, model, self.opts.max_concurrency, self.opts.timeout_s, self.opts.max_retries, self.opts.backoff_s
        )
        self.judge = Judge(client, self.opts.prompt, self.opts.max_tokens, self.opts.temperature, self.opts.answer_only)
        self.keys = extra_keys(self.opts)
        self.board = None
        self._images: OrderedDict[str, list[str]] = OrderedDict()
        self.is_async_rule = inspect.iscoroutinefunction(getattr(compute_score, "func", compute_score))

    async def run_single(self, data: DataProto) -> dict:
        item = data[-1:][0]
        response_ids = item.batch["responses"]
        valid = int(item.batch["attention_mask"][-response_ids.shape[-1] :].sum())
        response = await asyncio.get_running_loop().run_in_executor(
            None, lambda: self.tokenizer.decode(response_ids[:valid], skip_special_tokens=True)
        )
        info = {key: 0.0 for key in self.keys}
        info.update({key: math.nan for key in self.keys if key.startswith("genrm_reward_")})
        try:
            critic = await self._critic(item.non_tensor_batch, response, info)
        except Exception:  # the reward never raises on a model output: log it, count it, stay neutral
            logger.exception("critic reward failed; neutral reward given")
            critic = None
        if critic is None:
            critic, info["genrm_neutral"] = self.opts.neutral_reward, 1.0
        info["genrm_critic"] = critic
        score = critic
        if self.opts.alpha > 0:
            rule = await self._rule(item.non_tensor_batch, response, info)
            score = self.opts.alpha * rule + (1 - self.opts.alpha) * critic
        return {"reward_score": float(score), "reward_extra_info": info}

    async def _critic(self, sample: dict, response: str, info: dict) -> float | None:
        uid, member = str(sample.get("uid", "")), int(sample.get("session_id", 0))
        reference = (sample.get("reward_model") or {}).get("ground_truth")
        mode = self.opts.mode
        if mode in modes.GROUP_MODES and self.opts.group_size > 1 and uid:
            result = await self._group_result(sample, uid, member, response)
            if result is not None:
                reward, counts = result
                info.update(counts)
                info[f"genrm_reward_{mode}"] = math.nan if reward is None else reward
                return reward
            info["genrm_fallback"] = 1.0
        if reference is None or not str(reference).strip():
            return None
        question, urls = self._inputs(sample, uid)
        scored, counts = await self._score("reference", 1, [response], str(reference), question, urls)
        info.update(counts)
        reward = scored.rewards[0]
        info["genrm_reward_reference"] = math.nan if reward is None else reward
        return reward

    async def _group_result(self, sample: dict, uid: str, member: int, response: str):
        """(reward, counts) of this member from its group, or None when the group did not fill in time."""
        if self.board is None:
            self.board = board()
        n = self.opts.group_size
        role, members = await self.board.join(uid, member, response, n, self.opts.group_timeout_s)
        if role == ALONE:
            return None
        if role == LEAD:
            results = None
            try:
                order = sorted(members)
                question, urls = self._inputs(sample, uid)
                anchor = modes.draw_anchor(n, self.opts.seed, uid)
                scored, counts = await self._score(
                    self.opts.mode, n, [members[m] for m in order], None, question, urls, anchor
                )
                results = {m: (scored.rewards[k], counts) for k, m in enumerate(order)}
            finally:
                await self.board.publish(uid, results)
                await self.board.finish(uid)
            return None if results is None else results[member]
        per_call = self.opts.timeout_s * (self.opts.max_retries + 1) + self.opts.backoff_s * 2 ** (
            self.opts.max_retries + 1
        )
        return await self.board.collect(uid, member, per_call * (math.ceil(math.log2(n)) + 1) + 60.0)

    async def _score(self, mode, n, answers, reference, question, urls, anchor=0):
        """Judge ``answers`` (a group, or one rollout against ``reference``); counts shared out per member."""
        failures = {"judge_failures": 0, "parse_failures": 0}

        async def judge(first: int, second: int) -> str | None:
            one, two = (reference if i == modes.REFERENCE else answers[i] for i in (first, second))
            outcome = await self.judge.compare(question, urls, self.judge.answer(one), self.judge.answer(two))
            failures["judge_failures"] += outcome.failed
            failures["parse_failures"] += outcome.unparsed
            return outcome.verdict

        scored = await modes.score(mode, n, judge, self.opts.both_orders, anchor)
        swap_pairs, swap_consistent = scored.swaps()
        totals = dict(
            judge_calls=scored.calls, position1_votes=scored.position1, decisive_votes=scored.decisive,
            swap_pairs=swap_pairs, swap_consistent=swap_consistent, **failures,
        )  # fmt: skip
        return scored, {f"genrm_{k}": v / n for k, v in totals.items()}

    def _inputs(self, sample: dict, uid: str) -> tuple[str, list[str]]:
        """The question and the images as data URLs, encoded once per group."""
        question, images = question_and_images(sample.get("raw_prompt", []))
        if uid not in self._images:
            self._images[uid] = [data_url(image) for image in images]
            while len(self._images) > 256:
                self._images.popitem(last=False)
        return question, self._images[uid]

    async def _rule(self, sample: dict, response: str, info: dict) -> float:
        """The mix's rule term (``reward.custom_reward_function``, verl-wrapped); 0 and counted if it fails."""
        kwargs = {
            "data_source": sample.get("data_source"),
            "solution_str": response,
            "ground_truth": (sample.get("reward_model") or {}).get("ground_truth"),
            "extra_info": sample.get("extra_info") or {},
        }
        try:
            if self.is_async_rule:
                result = await self.compute_score(**kwargs)
            else:
                result = await asyncio.get_running_loop().run_in_executor(None, lambda: self.compute_score(**kwargs))
            rule = float(result["score"] if isinstance(result, dict) else result)
        except Exception as err:
            logger.warning("rule scorer failed (%s: %s); rule term 0", type(err).__name__, err)
            rule, info["genrm_rule_failures"] = 0.0, 1.0
        info["genrm_rule"] = rule
        return rule
