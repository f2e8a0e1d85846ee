"""The pairwise judge prompts an evaluation can use: the authors' evaluation prompt or the project's.

``authors`` is the critic prompt of the authors' evaluation scripts (si0wang/LLaVA-Critic-R1,
``eval_llama32v/model_vlreward_llama32v.py`` and ``model_mmrlhf_llama32v.py``, also lmms-eval's
VL-RewardBench prompt): the question, "Answer 1"/"Answer 2", four criteria and a request for an
overall judgment, with the think/boxed instruction appended with no separator, as those scripts
do. The wording is kept as published (leading space included) because the protocol depends on it.
``project`` is the training-style prompt of ``critic_r1_ext.prompt.pairwise_prompt``.
Images are not marked in the authors' prompt, so they go first, as in their scripts, and a literal
``<image>`` in a question or answer stays text; the project's prompt places them at ``<image>`` markers.
"""

from __future__ import annotations

from critic_r1_ext.prompt import THINK_BOXED_SUFFIX, pairwise_prompt

_AUTHORS = (
    " You are a highly capable multimodal AI assistant tasked with evaluating answers to visual questions. "
    "Please analyze the following image and question, then determine which of the two provided answers is better."
    "\n\nQuestion: {question}\n\nAnswer 1: {answer_1}\n\nAnswer 2: {answer_2}\n\n"
    "Please evaluate both answers based on the following criteria:\n"
    "1. Accuracy: How well does the answer align with the visual information in the image?\n"
    "2. Completeness: Does the answer fully address all aspects of the question?\n"
    "3. Clarity: Is the answer easy to understand and well-articulated?\n"
    "4. Relevance: Does the answer directly relate to the question and the image?\n\n"
    "After your evaluation, please:\n"
    "1. Explain your reasoning for each criterion.\n"
    "2. Provide an overall judgment on which answer is better (Answer 1 or Answer 2). "
    "For example: Overall Judgment: Answer X is better.\n\n"
    "Your response should be structured and detailed, demonstrating your understanding of both the visual "
    "and textual elements of the task."
)


def authors_prompt(question: str, answer_1: str, answer_2: str, num_images: int) -> str:
    """The authors' evaluation critic prompt with the think/boxed instruction glued on (no separator)."""
    return _AUTHORS.format(question=question, answer_1=answer_1, answer_2=answer_2) + THINK_BOXED_SUFFIX


def project_prompt(question: str, answer_1: str, answer_2: str, num_images: int) -> str:
    """The project's training-style critic prompt (``prompt.pairwise_prompt``)."""
    return pairwise_prompt(question, answer_1, answer_2, num_images)


JUDGE_PROMPTS = {"authors": authors_prompt, "project": project_prompt}
# Whether a prompt's text places the images at ``<image>`` markers (``Request.markers``).
USES_MARKERS = {"authors": False, "project": True}
