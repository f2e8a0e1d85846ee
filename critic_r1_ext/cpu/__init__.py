"""Running verl's training engine on a CPU: a gloo platform and a GRPO loop for tests and benchmarks.

GPU training never imports this package.
"""
