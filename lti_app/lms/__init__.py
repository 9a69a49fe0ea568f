"""Platforms, keys and LMS services; usable outside a request (CLI, workers)."""
