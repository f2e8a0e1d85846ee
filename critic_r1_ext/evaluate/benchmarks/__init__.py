"""The benchmark registry: every module of this package that defines ``BENCHMARK`` or ``BENCHMARKS``.

Adding a benchmark is one new module here (plus its test): ``--help``, the summary, the tests and
the fuzzing all read :data:`REGISTRY`. Modules whose name starts with ``_`` and the shared ``base``
and ``loading`` modules are not benchmarks.
"""

from __future__ import annotations

import importlib
import pkgutil

from critic_r1_ext.evaluate.benchmarks.base import CATEGORIES, NEEDS_JUDGE, Benchmark, Item, SkipRow
from critic_r1_ext.evaluate.benchmarks.loading import load_rows

__all__ = ["CATEGORIES", "NEEDS_JUDGE", "REGISTRY", "Benchmark", "Item", "SkipRow", "items", "load_rows"]
_SHARED = {"base", "loading"}


def _discover() -> dict[str, Benchmark]:
    found: dict[str, Benchmark] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_") or module_info.name in _SHARED:
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        declared = getattr(module, "BENCHMARKS", None) or (getattr(module, "BENCHMARK", None),)
        for benchmark in declared:
            if not isinstance(benchmark, Benchmark):
                raise TypeError(f"{module.__name__}: BENCHMARK(S) must hold Benchmark objects, got {benchmark!r}")
            if benchmark.name in found:
                raise ValueError(f"{module.__name__}: benchmark {benchmark.name!r} is registered twice")
            if benchmark.category not in CATEGORIES:
                raise ValueError(f"{module.__name__}: category {benchmark.category!r} is not one of {CATEGORIES}")
            found[benchmark.name] = benchmark
    return found


REGISTRY: dict[str, Benchmark] = _discover()


def items(
    name: str, source: str | None = None, limit: int | None = None, variant: str | None = None
) -> tuple[list[Item], dict[str, int]]:
    """All items of benchmark ``name`` and the count of rows skipped per reason (the authors' skip rules).

    ``variant`` names one of the benchmark's ``variants`` (our protocol options) instead of its
    authors' converter. A bad row raises an error naming it; a duplicate id too (ids key the
    resumable output)."""
    benchmark = REGISTRY[name]
    convert = benchmark.variants[variant] if variant else benchmark.item
    rows = (benchmark.rows or load_rows)(benchmark, source, limit)
    found, seen, skipped = [], set(), {}
    for position, row in enumerate(rows):
        try:
            item = convert(row, f"{name}: row {position}")
        except SkipRow as skip:
            skipped[skip.reason] = skipped.get(skip.reason, 0) + 1
            continue
        if item.id in seen:
            raise ValueError(f"{name}: row {position}: duplicate id {item.id!r} (ids key the resumable output)")
        seen.add(item.id)
        found.append(item)
    return found, skipped
