"""Benchmarks: each prints a markdown table and the command that made it."""
