"""Helpers shared by the scratch-engine tests: comparisons with float64 PyTorch."""

import pytest
import torch

from dlcourse.scratch import relative_error

TOL = 1e-10


def _close(actual, expected, tol: float = TOL) -> None:
    """Relative error (max |a − b| / max |b|, :func:`relative_error`) at most ``tol``."""
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else expected
    error = relative_error(actual, expected)
    assert error <= tol, f"relative error {error:.2e} > {tol:.0e}"


@pytest.fixture
def close():
    """``close(actual, expected, tol=1e-10)``: assert a relative error within ``tol``."""
    return _close
