r"""A deterministic time bound for mathruler's ``grade_answer``: which sympy expressions it may evaluate.

``grade_answer`` compares normalised strings first and falls back to ``sympy.simplify`` of
``(label)-(answer)`` when neither is an integer (or both are). sympy then evaluates whatever the
answer spells: ``9**9**9`` (a 370-million-digit integer), ``(10**7)!``, ``1.5e9999999``,
``10**(-10**7)`` or ``(x+1)**1000`` each run for minutes or hours (``benchmarks/reward.py`` fuzzes
for them). A rollout must not stall a training step, and verl's reward workers may call the reward
in threads or async loops, where a signal cannot interrupt it and a killed thread does not exist.
So, instead of a clock, :func:`sympy_budget` reads the code sympy would run (``stringify_expr``, which
only tokenizes, with mathruler's transformations) and refuses expressions over a fixed budget:

* only numbers, symbols, ``+ - * / **``, factorials and a few cheap functions;
* at most ``MAX_NODES`` operations and atoms;
* every exact number it would build at most ``MAX_DIGITS`` digits (powers and factorials of
  numbers are sized before they are built);
* polynomial degree at most ``MAX_DEGREE`` (``simplify`` expands powers and products of sums).

The same input always gets the same verdict, on any machine and under any load.
"""

from __future__ import annotations

import ast
import builtins
import math
import re
import types
from fractions import Fraction
from functools import lru_cache

from mathruler.grader import (
    _is_frac,
    _normalize,
    _str_is_int,
    normalize_answer,
    should_allow_eval,
    split_tuple,
)
from sympy.parsing import sympy_parser

MAX_NODES = 80
MAX_DIGITS = 10_000
MAX_DEGREE = 24
MAX_FACTORIAL = 2_000
# Names mathruler's letter limit lets through (it ignores "sqrt") that are cheap on bounded arguments.
CHEAP_CALLS = {"sqrt", "ln", "re", "im", "csc", "li", "Li", "Si", "Ci", "Ei", "E1", "Abs", "max", "min"}
CONSTANTS = {"pi", "E", "I", "oo", "zoo", "nan", "S"}
TRANSFORMATIONS = sympy_parser.standard_transformations + (sympy_parser.implicit_multiplication_application,)
_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


class OverBudget(Exception):
    """The expression would cost sympy more than the budget; the message says which rule."""


@lru_cache(maxsize=1)
def _sympy_globals() -> dict:
    """The global names ``parse_expr`` evaluates with (it decides what is a function call)."""
    names: dict = {}
    exec("from sympy import *", names)  # noqa: S102 - sympy's own namespace, as parse_expr builds it
    names.update({k: v for k, v in vars(builtins).items() if isinstance(v, types.BuiltinFunctionType)})
    return names


def sympy_expressions(answer: str, ground_truth: str) -> list[str]:
    """The expressions ``grade_answer(answer, ground_truth)`` hands to sympy, following its own steps."""
    if normalize_answer(ground_truth) == normalize_answer(answer):
        return []
    truth, given = _normalize(ground_truth), _normalize(answer)
    if truth is None or truth == given or not given:
        return []
    truths, givens = split_tuple(truth), split_tuple(given)
    if len(truths) > 1 and (truth[0] != given[0] or truth[-1] != given[-1]) or len(truths) != len(givens):
        return []
    out = []
    for t, g in zip(truths, givens):
        if _is_frac(t) and _is_frac(g):
            if t != g:
                break
            continue
        if _str_is_int(t) != _str_is_int(g):
            break
        expr = f"({t})-({g})"
        if should_allow_eval(expr):
            out.append(expr)
    return out


@lru_cache(maxsize=4096)
def sympy_budget(answer: str, ground_truth: str) -> str:
    """``""`` when grading stays within the budget, else why not (e.g. ``"a number of 370 million digits"``)."""
    for expr in sympy_expressions(answer, ground_truth):
        try:
            code = sympy_parser.stringify_expr(expr.replace("^", "**"), {}, _sympy_globals(), TRANSFORMATIONS)
            tree = ast.parse(code, mode="eval").body
        except Exception:
            continue  # sympy cannot parse it either: mathruler catches that and grades False at once
        try:
            _Sizer().size(tree)
        except OverBudget as why:
            return f"not graded: sympy would evaluate {expr[:60]!r}, {why}"
    return ""


class _Sizer:
    """Walks the code sympy would run, sizing every value before it would be built.

    Each node sizes to ``(exact value or None, polynomial degree, digits)``: the value when it is a
    rational number the walk can compute, and an upper bound on the digits of the numbers in it.
    """

    def __init__(self) -> None:
        self.nodes = 0

    def size(self, node) -> tuple[Fraction | None, int, int]:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise OverBudget(f"over {MAX_NODES} operations and atoms")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._call(node.func.id, node.args)
        if isinstance(node, ast.Name) and node.id in CONSTANTS:
            return None, 0, 1
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value, degree, digits = self.size(node.operand)
            negate = value is not None and isinstance(node.op, ast.USub)
            return (-value if negate else value), degree, digits
        if isinstance(node, ast.BinOp) and isinstance(node.op, _OPS):
            return self._binop(node.op, self.size(node.left), self.size(node.right))
        raise OverBudget(f"{type(node).__name__} syntax")

    def _call(self, name: str, args) -> tuple[Fraction | None, int, int]:
        if name in ("Integer", "Float", "Number", "Rational") and all(isinstance(a, ast.Constant) for a in args):
            value = _literal([a.value for a in args])
            return value, 0, 1 if value is None else _digits(value)
        if name == "Symbol":
            return None, 1, 1
        sized = [self.size(a) for a in args]
        if name in ("factorial", "factorial2") and len(sized) == 1:
            value, degree, digits = sized[0]
            if value is None or value.denominator != 1 or abs(value) > MAX_FACTORIAL:
                raise OverBudget(f"the factorial of {'an expression' if value is None else _show(value)}")
            n = max(int(abs(value)), 2)
            return None, 0, math.ceil(n * math.log10(n))
        if name in CHEAP_CALLS:
            return None, max((d for _, d, _ in sized), default=0), max((n for _, _, n in sized), default=1)
        raise OverBudget(f"the function {name}")

    def _binop(self, op, left, right) -> tuple[Fraction | None, int, int]:
        (a, da, na), (b, db, nb) = left, right
        if isinstance(op, ast.Pow):
            return self._pow(a, da, na, b, db, nb)
        degree = max(da, db) if isinstance(op, (ast.Add, ast.Sub)) else da + db
        if degree > MAX_DEGREE:
            raise OverBudget(f"a polynomial of degree {degree} (over {MAX_DEGREE})")
        if a is None or b is None or (isinstance(op, ast.Div) and not b):
            return None, degree, na + nb
        value = {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b, ast.Div: a / b if b else 0}[type(op)]
        return value, degree, _digits(value)

    def _pow(self, a, da, na, b, db, nb) -> tuple[Fraction | None, int, int]:
        if b is None:  # a symbolic or irrational exponent: sympy keeps the power as it is
            return None, da + db, na + nb
        exponent = abs(b.numerator)
        degree, digits = da * exponent, na * exponent
        if degree > MAX_DEGREE:
            raise OverBudget(f"a polynomial of degree {degree:,} (over {MAX_DEGREE})")
        if digits > MAX_DIGITS:
            raise OverBudget(f"a number of about {digits:,} digits (over {MAX_DIGITS:,})")
        if a is None or b.denominator != 1 or (a == 0 and b < 0):
            return None, degree, max(digits, 1)
        value = a**b.numerator
        return value, 0, _digits(value)


_FLOAT = re.compile(r"[+-]?(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?")


def _literal(args: list) -> Fraction | None:
    """The exact value of ``Integer(9)``, ``Float('1.5e3')``, ``Number('2')`` or ``Rational(1, 2)``."""
    if len(args) == 2:
        return Fraction(int(args[0]), int(args[1])) if int(args[1]) else None
    text = str(args[0])
    match = _FLOAT.fullmatch(text)
    if match is None:
        raise OverBudget(f"the number {text[:20]!r}")
    digits = len(match.group(1)) + len(match.group(2)) + abs(int(match.group(3) or 0))
    if digits > MAX_DIGITS:
        raise OverBudget(f"the number {text[:20]!r} of {digits:,} digits (over {MAX_DIGITS:,})")
    return Fraction(text)


def _digits(value: Fraction) -> int:
    """Decimal digits of the numerator and denominator together (at least 1)."""
    return max(1, math.ceil((value.numerator.bit_length() + value.denominator.bit_length()) * math.log10(2)))


def _show(value: Fraction) -> str:
    return str(value) if _digits(value) <= 12 else f"a number of {_digits(value):,} digits"
