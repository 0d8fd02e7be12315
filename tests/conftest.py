"""Shared fixtures for torchlike's behaviour tests.

Expected values in tests/ were checked against torch 2.13 and are hard-coded: torch is never
imported here.  Tests that only make sense for torchlike (JAX interop) carry the
``torchlike_only`` marker.
"""

from __future__ import annotations

import pytest

import torchlike as torch


def pytest_configure(config):
    config.addinivalue_line("markers", "torchlike_only: checks torchlike's JAX side, not torch")


@pytest.fixture
def float64_default():
    """Run a test with ``set_default_dtype(float64)``, restoring the old default after."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)

