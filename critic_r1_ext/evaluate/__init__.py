"""Evaluation at test time: critic accuracy on pairwise benchmarks and the benchmark converters."""
