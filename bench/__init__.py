"""Benchmarks of the pipeline and the checker (``python -m bench``, ``make bench``): figures, not tests."""
