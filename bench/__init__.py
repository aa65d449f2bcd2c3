"""Benchmarks: the app's time as a ratio to a library floor measured in the same run."""
