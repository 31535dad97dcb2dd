"""Scratch engine against PyTorch: one training step of the same MLP, timed in both (``make bench``).

Lives in the course build, not in :mod:`dlcourse.torch_bridge`, because it measures the package
rather than teaching with it; it uses the bridge's public ``to_torch`` to get identical weights.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import torch
from torch import nn

from dlcourse._validation import require_positive_int
from dlcourse.scratch import MLP, MSELoss
from dlcourse.torch_bridge import to_torch


def _median_ms(step, repeats: int) -> float:
    """Median wall time of ``step()`` in milliseconds, after a few untimed warm-up calls."""
    for _ in range(10):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def benchmark_scratch_vs_torch(repeats: int = 200) -> dict:
    """Time one training step's forward + backward of a 30-64-64-1 ReLU MLP on a batch of 256.

    Both engines run in float64 on the CPU, on the same weights and data, measured in the same run
    with ``time.perf_counter``: a step is ``zero_grad``, forward, MSE loss and backward; each engine
    runs ``repeats`` timed steps in its own block (interleaving them lets NumPy's BLAS threads and
    torch's threads, both spin-waiting, slow each other down). Returns
    ``{"scratch_ms": median ms per step, "torch_ms": median ms per step, "ratio": scratch/torch}``.
    """
    repeats = require_positive_int("benchmark_scratch_vs_torch: repeats", repeats)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 30))
    y = rng.standard_normal((256, 1))
    model = MLP([30, 64, 64, 1], rng=rng)
    loss = MSELoss()
    torch_model = to_torch(model)
    torch_loss = nn.MSELoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)

    def scratch_step() -> None:
        model.zero_grad()
        loss(model(X), y)
        model.backward(loss.backward())

    def torch_step() -> None:
        torch_model.zero_grad()
        torch_loss(torch_model(X_t), y_t).backward()

    scratch_ms = _median_ms(scratch_step, repeats)
    torch_ms = _median_ms(torch_step, repeats)
    return {"scratch_ms": scratch_ms, "torch_ms": torch_ms, "ratio": scratch_ms / torch_ms}
