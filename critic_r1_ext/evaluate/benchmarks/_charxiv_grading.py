"""CharXiv's reasoning grading prompts, reproduced as published (protocol constants, not our text).

Source: princeton-nlp/CharXiv, ``src/constants.py`` (``REASONING_GRADING_PREFIX`` and
``REASONING_GRADING_INST``, commit 7ebe88f), used by ``src/reasoning_utils.py`` with GPT-4o
(``gpt-4o-2024-05-13``, temperature 0, JSON output). Keys are the answer types of
``reasoning_a_type``: 1 text-in-chart, 2 text-in-general, 3 number-in-chart, 4 number-in-general.
The placeholders ``<|question|>``, ``<|ground_truth|>`` and ``<|response|>`` are filled per item.
"""

PREFIX = (
    "\n"
    "You will be given a question, an ground truth answer and a model response. You need to extract "
    "the final answer from the model response, compare it with the ground truth answer, and then "
    "assign a binary score. Avoid providing explanations in your response. If there is no provided "
    "model response, please leave the extracted answer empty and give a score of 0. \n"
    "\n"
    "Your response must follow json formats with keys [extract_answer, score] where the value of the "
    "score is an interger in [0, 1]. You must follow the scoring rules:\n"
)

INSTRUCTIONS = {
    1: (
        "\n"
        "    ### Rules ###\n"
        "    * Give a score of 1 if and only if the final answer and the ground truth answer are "
        "referring to the same term. It's acceptable to have different grammar or form (e.g., α and "
        "alpha; $R^2_{t,h,v,m}$ and R^2_t,h,v,m). It's also acceptable to have different orders of the "
        "terms when question asks for multiple terms.\n"
        "    * Give a score of 0 if any term (e.g., ACC+ and ACC; P-101 and P=101) is different between "
        "the final answer and the ground truth.\n"
        "\n"
        "    ### Example 1 Starts ###\n"
        "    * Question: What is the name of the curve that intersects y=\\lambda exactly three times?\n"
        "    * Ground Truth: P56962\n"
        "    * Response: There is only one curve that intersects y=\\lambda exactly three times. The name "
        "of the curve is written as P55762.\n"
        "    \n"
        "    {\n"
        '        "extracted_answer": "P55762",\n'
        '        "score": 0\n'
        "    }\n"
        "    ### Example 1 Ends ###\n"
        "\n"
        "\n"
        "    ### Example 2 Starts ###\n"
        "    * Question: What is the letter of the subplot where all bars are above 35?\n"
        "    * Ground Truth: (b)\n"
        "    * Response: The letter of the subplot where all bars are above 35 is b.\n"
        "\n"
        "    {\n"
        '        "extracted_answer": "b",\n'
        '        "score": 1\n'
        "    }\n"
        "    ### Example 2 Ends ###\n"
        "\n"
        "    ### Your Turn ###\n"
        "    * Question: <|question|>\n"
        "    * Ground Truth: <|ground_truth|>\n"
        "    * Response: <|response|>\n"
        "\n"
        "    "
    ),
    2: (
        "\n"
        "    ### Rules ###\n"
        "    * If there are predefined options in the question:\n"
        "        * Give a score of 1 if the final answer matches the ground truth answer exactly.\n"
        "        * Give a score of 0 if the final answer does not match the ground truth answer.\n"
        "    * If there are no predefined options in the question:\n"
        "        * Give a score of 1 if the final answer shares the same semantic meaning with the "
        'ground truth answer (e.g., "increasing then decreasing" and "moving up then down"; "converge" '
        'and "move closer together").\n'
        "        * Give a score of 0 if the final answer shares different semantic meanings from the "
        'ground truth answer (e.g., "increasing then decreasing" and "remain constant"; "converge" and '
        '"diverge").\n'
        "\n"
        "    ### Example 1 Starts ###\n"
        "    * Question: What is the trend of the red curve between t=10 and t=25?\n"
        "    * Ground Truth: increasing then decreasing\n"
        "    * Response: The red curve is increasing between t=10 and t=25.\n"
        "\n"
        "    {\n"
        '        "extracted_answer": "increasing",\n'
        '        "score": 0\n'
        "    }\n"
        "    ### Example 1 Ends ###\n"
        "\n"
        "    ### Example 2 Starts ###\n"
        "    * Question: What is the interval where the blue curve achieves the maximum value among [0, "
        "50], [50, 100], [100, 150], and [150, 200]?\n"
        "    * Ground Truth: [50, 100]\n"
        "    * Response: The interval where the blue curve achieves the maximum value is [50, 100].\n"
        "\n"
        "    {\n"
        '        "extracted_answer": "[50, 100]",\n'
        '        "score": 1\n'
        "    }\n"
        "    ### Example 2 Ends ###\n"
        "\n"
        "    ### Your Turn ###\n"
        "    * Question: <|question|>\n"
        "    * Ground Truth: <|ground_truth|>\n"
        "    * Response: <|response|>\n"
        "\n"
        "    "
    ),
    3: (
        "\n"
        "    ### Rules ###\n"
        "    * Give a score of 1 if and only if the two numbers are exactly equal in values. It's "
        "acceptable to have different notations (e.g., 0.01 and 10^-2; 1500 and 1.5e3).\n"
        "    * Give a score of 0 if the two numbers are different in values.\n"
        "\n"
        "    ### Example 1 Starts ###\n"
        "    * Question: What is the value of the red curve at t=10?\n"
        "    * Ground Truth: 0.01\n"
        "    * Response: The value of the red curve at t=10 is 0.012.\n"
        "\n"
        "    {\n"
        '        "extracted_answer": "0.012",\n'
        '        "score": 0\n'
        "    }\n"
        "    ### Example 1 Ends ###\n"
        "\n"
        "    ### Example 2 Starts ###\n"
        "    * Question: What is the value of the blue curve at t=50?\n"
        "    * Ground Truth: 1500\n"
        "    * Response: The value of the blue curve at t=50 is 1.5e3.\n"
        "\n"
        "    {\n"
        '        "extracted_answer": "1.5e3",\n'
        '        "score": 1\n'
        "    }\n"
        "    ### Example 2 Ends ###\n"
        "\n"
        "    ### Your Turn ###\n"
        "    * Question: <|question|>\n"
        "    * Ground Truth: <|ground_truth|>\n"
        "    * Response: <|response|>\n"
        "\n"
        "    "
    ),
}
# The source gives number-in-general the same rules as number-in-chart.
INSTRUCTIONS[4] = INSTRUCTIONS[3]
