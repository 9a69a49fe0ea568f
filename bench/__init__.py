"""Benchmarks: commands that print numbers (see bench/README.md). Not tests."""
