"""Benchmarks printed by `make bench` (never asserted)."""
