"""The morning's maths from scratch, in NumPy: layers, losses, backprop, optimizers.

float64 throughout, vectorised over the batch, and numerically faithful to PyTorch (every piece is
tested against ``torch`` in float64), with torch.nn / torch.optim names so each line maps onto its
PyTorch counterpart. This package never imports torch; :mod:`dlcourse.torch_bridge` converts models.

Modules: ``activations``, ``losses``, ``layers`` (Layer, Dense, Dropout, BatchNorm1d), ``network``
(Sequential, MLP), ``optim`` (SGD, AdaGrad, RMSProp, Adam, AdamW), ``gradcheck``, ``landscapes``.
"""

from .activations import (
    ACTIVATIONS,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
    identity,
    identity_grad,
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    tanh,
    tanh_grad,
)
from .gradcheck import GradientCheckReport, gradient_check, numerical_gradient, relative_error
from .landscapes import (
    ILL_CONDITIONED_QUADRATIC,
    LANDSCAPES,
    MULTIMODAL,
    ROSENBROCK,
    SADDLE,
    Landscape,
    trajectory,
)
from .layers import BatchNorm1d, Dense, Dropout, Layer
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    log_softmax,
    mae,
    mse,
)
from .network import MLP, Sequential
from .optim import SGD, AdaGrad, Adam, AdamW, Optimizer, RMSProp

__all__ = [
    "ACTIVATIONS",
    "ILL_CONDITIONED_QUADRATIC",
    "LANDSCAPES",
    "MLP",
    "MULTIMODAL",
    "ROSENBROCK",
    "SADDLE",
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "CrossEntropyLoss",
    "Dense",
    "Dropout",
    "GradientCheckReport",
    "Identity",
    "L1Loss",
    "Landscape",
    "Layer",
    "LeakyReLU",
    "MSELoss",
    "Optimizer",
    "RMSProp",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "get_activation",
    "gradient_check",
    "identity",
    "identity_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "log_softmax",
    "mae",
    "mse",
    "numerical_gradient",
    "relative_error",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "tanh",
    "tanh_grad",
    "trajectory",
]
