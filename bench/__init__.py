"""Benchmarks (`nox -s bench`): every figure is printed with the stack floor measured in the same run."""
