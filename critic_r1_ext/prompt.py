"""The critic prompt: the paper's think/boxed instruction around a pairwise judging question."""

from __future__ import annotations

IMAGE_MARKER = "<image>"

# The instruction the paper appends to every RL prompt (LLaVA-Critic-R1, geo3k-style).
THINK_BOXED_SUFFIX = (
    "You FIRST think about the reasoning process as an internal monologue and then provide the final "
    "answer. The reasoning process MUST BE enclosed within <think> </think> tags. The final answer "
    "MUST BE put in \\boxed{}."
)

_PAIRWISE = (
    "You are a fair judge of answers to questions about images. Read the question, look at the "
    "image carefully, and decide which of the two answers below is better: more accurate with "
    "respect to the image, more helpful, and free of hallucinated details.\n\n"
    "Question: {question}\n\n"
    "[Answer 1]\n{response_1}\n[End of Answer 1]\n\n"
    "[Answer 2]\n{response_2}\n[End of Answer 2]\n\n"
    "Which answer is better? Give 1 if Answer 1 is better{tie_clause} or 2 if Answer 2 is better."
)


def with_suffix(prompt: str) -> str:
    """``prompt`` (trimmed) followed by the think/boxed instruction, added once."""
    prompt = prompt.strip()
    if prompt.endswith(THINK_BOXED_SUFFIX):
        return prompt
    return f"{prompt} {THINK_BOXED_SUFFIX}"


def pairwise_prompt(question: str, response_1: str, response_2: str, num_images: int, allow_tie: bool = False) -> str:
    """The full user turn for one pairwise judgment, with one ``<image>`` marker per image.

    Markers already inside ``question`` are kept where they are; missing ones go first, as in
    LLaVA-style data. ``allow_tie`` adds "tie" as a valid answer (only for data that has ties).
    """
    question = question.strip()
    missing = num_images - question.count(IMAGE_MARKER)
    if missing < 0:
        raise ValueError(
            f"question has {question.count(IMAGE_MARKER)} {IMAGE_MARKER} markers but only {num_images} images"
        )
    body = _PAIRWISE.format(
        question=question,
        response_1=response_1.strip(),
        response_2=response_2.strip(),
        tie_clause=", tie if they are equally good," if allow_tie else ",",
    )
    return with_suffix(IMAGE_MARKER * missing + ("\n" if missing else "") + body)
