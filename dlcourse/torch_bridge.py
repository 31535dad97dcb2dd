"""Bridge between the NumPy engine (:mod:`dlcourse.scratch`) and PyTorch.

The scratch package never imports torch; this module does. It converts a scratch ``Sequential``
into a ``torch.nn.Sequential`` with identical numbers (``to_torch``) and copies the scratch weights
into a torch model of the same structure (``make bench`` times both engines:
:mod:`dlcourse.tooling.bench_engine`).

Layer correspondence: Dense <-> nn.Linear (W <-> weight, b <-> bias), BatchNorm1d <->
nn.BatchNorm1d (gamma <-> weight, beta <-> bias, running statistics), Dropout <-> nn.Dropout,
and each activation <-> its nn namesake (Softmax <-> nn.Softmax(dim=-1)).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dlcourse._validation import fail, type_name
from dlcourse.scratch import (
    BatchNorm1d,
    Dense,
    Dropout,
    Identity,
    LeakyReLU,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)

_TORCH_TYPE = {
    Dense: nn.Linear,
    BatchNorm1d: nn.BatchNorm1d,
    Dropout: nn.Dropout,
    Identity: nn.Identity,
    Sigmoid: nn.Sigmoid,
    Tanh: nn.Tanh,
    ReLU: nn.ReLU,
    LeakyReLU: nn.LeakyReLU,
    Softmax: nn.Softmax,
}


def _torch_type(layer) -> type[nn.Module] | None:
    """The nn class matching a scratch layer, found through its bases (a Dense subclass is Linear)."""
    return next((_TORCH_TYPE[cls] for cls in type(layer).__mro__ if cls in _TORCH_TYPE), None)


def _tensor(array: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
    return torch.tensor(array, dtype=dtype)  # a copy: no warning for read-only arrays


def _to_module(layer, dtype: torch.dtype) -> nn.Module:
    if isinstance(layer, Dense):
        module = nn.Linear(layer.in_features, layer.out_features, dtype=dtype)
    elif isinstance(layer, BatchNorm1d):
        module = nn.BatchNorm1d(
            layer.num_features, eps=layer.eps, momentum=layer.momentum, dtype=dtype
        )
    elif isinstance(layer, Dropout):
        module = nn.Dropout(layer.p)
    elif isinstance(layer, LeakyReLU):
        module = nn.LeakyReLU(layer.negative_slope)
    elif isinstance(layer, Softmax):
        module = nn.Softmax(dim=-1)
    else:
        module = _torch_type(layer)()
    return module.train(layer.training)


def _pairs(what: str, scratch_seq: Sequential, torch_seq: nn.Sequential) -> list[tuple]:
    """Check that the two models have the same structure and shapes; return their layer pairs."""
    if not isinstance(scratch_seq, Sequential):
        raise fail(what, "a dlcourse.scratch.Sequential", type_name(scratch_seq))
    if not isinstance(torch_seq, nn.Sequential):
        raise fail(what, "a torch.nn.Sequential", type_name(torch_seq))
    if len(torch_seq) != len(scratch_seq):
        raise fail(
            what,
            f"a torch Sequential of {len(scratch_seq)} modules (as the scratch model)",
            f"{len(torch_seq)} modules",
        )
    pairs = []
    for i, (layer, module) in enumerate(zip(scratch_seq, torch_seq, strict=True)):
        expected = _torch_type(layer)
        if expected is None or type(module) is not expected:
            name = expected.__name__ if expected else "a supported layer"
            raise fail(
                what,
                f"torch.nn.{name} at index {i} (to match {type_name(layer)})",
                type_name(module),
            )
        for side, array, tensor in _arrays(layer, module):
            if tuple(tensor.shape) != array.shape:
                raise fail(
                    what,
                    f"{side} of shape {array.shape} at index {i} (as the scratch model)",
                    tuple(tensor.shape),
                )
        pairs.append((layer, module))
    return pairs


def _arrays(layer, module: nn.Module) -> list[tuple[str, np.ndarray, torch.Tensor]]:
    """(torch name, scratch array, torch tensor) for every parameter and buffer of one layer."""
    if isinstance(layer, Dense):
        return [("weight", layer.W, module.weight), ("bias", layer.b, module.bias)]
    if isinstance(layer, BatchNorm1d):
        return [
            ("weight", layer.gamma, module.weight),
            ("bias", layer.beta, module.bias),
            ("running_mean", layer.running_mean, module.running_mean),
            ("running_var", layer.running_var, module.running_var),
        ]
    return []


def to_torch(seq: Sequential, dtype: torch.dtype = torch.float64) -> nn.Sequential:
    """A ``torch.nn.Sequential`` with the same layers, weights, running statistics and modes."""
    if not isinstance(seq, Sequential):
        raise fail("to_torch", "a dlcourse.scratch.Sequential", type_name(seq))
    modules = []
    for i, layer in enumerate(seq):
        if _torch_type(layer) is None:
            raise fail("to_torch", f"a layer with a torch counterpart at index {i}", repr(layer))
        modules.append(_to_module(layer, dtype))
    torch_seq = nn.Sequential(*modules)
    # Only the container's own flag: each module already carries its layer's mode.
    torch_seq.training = seq.training
    copy_weights_to_torch(seq, torch_seq)
    return torch_seq


def copy_weights_to_torch(seq: Sequential, torch_seq: nn.Sequential) -> None:
    """Copy every scratch parameter and running statistic into ``torch_seq`` in place."""
    with torch.no_grad():
        for layer, module in _pairs("copy_weights_to_torch", seq, torch_seq):
            for _, array, tensor in _arrays(layer, module):
                tensor.copy_(_tensor(array, tensor.dtype))
