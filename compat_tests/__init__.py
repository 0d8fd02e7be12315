"""Fixture-driven compatibility tests: torchlike against outputs recorded from real torch."""
