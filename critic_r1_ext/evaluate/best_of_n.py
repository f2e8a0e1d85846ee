"""Self-critic Best-of-N on a policy benchmark: N sampled answers, the model picks one by knockout.

Candidates use the single-answer prompt, sampled (``--bon-temperature``, ``--bon-top-p``); all
items of a chunk are sampled in one ``generate`` call. Selection reuses
``self_critic.selection``: every preset's knockout of every item runs in lockstep through
``run_batched``, so one knockout round across all questions and presets is one backend call
(verdicts are cached, so a pair two presets both ask for is judged once). Presets:

* ``paper``: the plain knockout over all N candidates, one order per match (N - 1 judge calls);
* ``ours``: candidates merged by final answer, every look judged in both orders, up to 3 looks.

Each record keeps every candidate (text, extracted answer, correct), the majority-vote pick and
each preset's winner and judge calls, so the summary (and ``--rescore``) needs nothing else.
"""

from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from critic_r1_ext.common.answers import final_answer
from critic_r1_ext.common.backends import Request
from critic_r1_ext.evaluate import stages
from critic_r1_ext.evaluate.judge_prompts import JUDGE_PROMPTS, USES_MARKERS
from critic_r1_ext.evaluate.policy import policy_prompt
from critic_r1_ext.evaluate.scoring import safe_score
from critic_r1_ext.self_critic.selection import entrants, knockout, majority_vote, run_batched
from critic_r1_ext.verdict import extract_verdict

PRESETS = {
    "paper": {"merge": False, "both_orders": False, "max_looks": 1},
    "ours": {"merge": True, "both_orders": True, "max_looks": 3},
}


class Judge:
    """The model judging pairs of its own candidates, for ``run_batched``; one generate call per step."""

    def __init__(self, backend, items, images, candidates, owners, prompt: str, max_new_tokens: int):
        """``images[q]``: item q's decoded media, ``(images, videos)``."""
        self.backend, self.items, self.images, self.candidates = backend, items, images, candidates
        self.owners, self.build, self.max_new_tokens = owners, JUDGE_PROMPTS[prompt], max_new_tokens
        self.markers = USES_MARKERS[prompt]
        self.cache: dict[tuple[int, int, int], str | None] = {}
        self.calls = [0] * len(items)
        self.steps = 0

    def __call__(self, requests: list[tuple[int, int, int]]) -> list[str | None]:
        keys = [(self.owners[k], first, second) for k, first, second in requests]
        misses = list(dict.fromkeys(key for key in keys if key not in self.cache))
        prompts = [
            Request(
                self.build(
                    self.items[q].question, self.candidates[q][a], self.candidates[q][b], len(self.images[q][0])
                ),
                *self.images[q],
                markers=self.markers,
            )
            for q, a, b in misses
        ]
        if prompts:
            self.steps += 1
            outputs = self.backend.generate(
                prompts, n=1, temperature=0.0, top_p=1.0, max_new_tokens=self.max_new_tokens
            )
            for key, texts in zip(misses, outputs, strict=True):
                self.cache[key] = extract_verdict(texts[0])[0]
                self.calls[key[0]] += 1
        return [self.cache[key] for key in keys]


def select(
    backend, items, images, candidates: list[list[str]], presets: list[str], judge_prompt: str, max_new_tokens: int
) -> tuple[list[dict], Judge]:
    """Every preset's knockout for every item, driven in lockstep; per item ``{preset: {winner, judge_calls}}``."""
    answers = [[final_answer(text) for text in texts] for texts in candidates]
    owners, knockouts = [], []
    for q in range(len(items)):
        for preset in presets:
            rules = PRESETS[preset]
            owners.append(q)
            knockouts.append(knockout(entrants(answers[q], rules["merge"]), rules["both_orders"], rules["max_looks"]))
    judge = Judge(backend, items, images, candidates, owners, judge_prompt, max_new_tokens)
    selections = iter(run_batched(knockouts, judge))
    picks = [{preset: _pick(next(selections)) for preset in presets} for _ in items]
    return picks, judge


def _pick(selection) -> dict:
    return {"winner": selection.winner, "judge_calls": selection.judge_calls}


def bon_record(item, texts: list[str], picks: dict, model_calls: int, settings: dict) -> dict:
    """One item's Best-of-N record (candidates scored; majority by normalised final answer)."""
    reference = item.reference()
    answers = [final_answer(text) for text in texts]
    return {
        "id": item.id,
        "reference": reference,
        "candidates": [
            {"text": text, "answer": answer, **safe_score(reference, text)}
            for text, answer in zip(texts, answers, strict=True)
        ],
        "majority": majority_vote(answers),
        "presets": picks,
        "model_judge_calls": model_calls,
        "settings": settings,
    }


def run_best_of_n(get_backend, name: str, items, path: Path, args, settings: dict) -> None:
    """Sample, judge, select and record every item not yet in ``path``.

    ``settings`` (what shaped the prompts) is extended by the Best-of-N ones; all of it keys resuming."""
    presets = args.preset
    settings = {
        **settings,
        "n": args.best_of,
        "temperature": args.bon_temperature,
        "top_p": args.bon_top_p,
        "judge_prompt": args.judge_prompt,
        "presets": presets,
    }
    todo = stages.pending(path, items, settings, args.resume)
    with tqdm(total=len(todo), desc=f"{name} best-of-{args.best_of}", unit="item") as bar:
        for chunk in stages.chunks(todo, args.items_per_call):
            kept, media, skipped = stages.prepare_media(
                chunk, name, settings["min_image_side"], settings["video_frames"]
            )
            backend = get_backend() if kept else None
            requests = [
                Request(policy_prompt(item), *pair, markers=item.interleaved)
                for item, pair in zip(kept, media, strict=True)
            ]
            candidates = (
                backend.generate(
                    requests,
                    n=args.best_of,
                    temperature=args.bon_temperature,
                    top_p=args.bon_top_p,
                    max_new_tokens=args.max_new_tokens,
                )
                if kept
                else []
            )
            picks, judge = select(backend, kept, media, candidates, presets, args.judge_prompt, args.max_new_tokens)
            records = [
                bon_record(item, texts, pick, calls, settings)
                for item, texts, pick, calls in zip(kept, candidates, picks, judge.calls, strict=True)
            ]
            stages.write(path, [{**s, "settings": settings} for s in skipped] + records)
            bar.update(len(chunk))
