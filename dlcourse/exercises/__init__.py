"""Self-checks for the notebooks' exercises: print ✓ or a helpful ✗, return a bool, never raise.

A notebook exercise ends with a call such as ``check_sigmoid(sigmoid)``. The check runs the
student's function on its own inputs (including extremes such as z = ±1000), compares with the
reference implementation in :mod:`dlcourse.scratch` within a stated tolerance, and prints one line:

* ``✓ <what>`` when every case matches;
* ``✗ <what>: <what is off>. Hint: <the concept to revisit>`` otherwise (never the answer);
* ``… <what>: not implemented yet`` for a stub (``None``, ``...``, a function returning ``None``
  or ``...``, or raising ``NotImplementedError``), so the student edition runs top to bottom.

A check never raises: an exception in the student's code is reported as ✗ with its type and
message. Numerical warnings (overflow, invalid value, division by zero) count as failures, because
the point of several exercises is a formula that stays finite and silent at extreme inputs.

Layout: ``core`` holds the engine (``report``, ``is_stub``, ``not_implemented``, ``compare``,
``check_close``, ``check_function``); ``basics`` the checks several notebooks share; then one module
per pair of notebooks (``nb01_02``, ``nb03_04``, ...). A new check goes in its notebook's module,
built on ``check_function``/``check_close``, and is listed in that module's ``__all__``; this
package re-exports every public check, so notebooks write ``from dlcourse.exercises import ...``.
"""

from dlcourse.exercises.basics import (
    check_bce,
    check_momentum_step,
    check_neuron_forward,
    check_sigmoid,
    check_sigmoid_grad,
    check_softmax,
)
from dlcourse.exercises.core import (
    ATOL,
    RTOL,
    Case,
    check_close,
    check_function,
    compare,
    is_stub,
    not_implemented,
    report,
)
from dlcourse.exercises.nb01_02 import (
    XOR_INPUTS,
    XOR_TARGETS,
    check_collapse,
    check_decision_boundary,
    check_mlp_forward,
    check_parameter_count,
    check_relu_bump,
    check_xor_network,
)
from dlcourse.exercises.nb03_04 import (
    check_adam_step,
    check_backward_pass,
    check_central_difference,
    check_hidden_delta,
    check_minibatch_epoch,
)
from dlcourse.exercises.nb05_06 import (
    check_bce_with_logits,
    check_leaky_relu_grad,
    check_mae_grad,
    check_softmax_backward,
    check_weighted_cross_entropy,
)
from dlcourse.exercises.nb07 import (
    check_batchnorm_forward,
    check_dropout_forward,
    check_early_stopping,
    check_weight_decay_step,
)
from dlcourse.exercises.nb08_09 import (
    check_cost_threshold,
    check_dna_dataset,
    check_fit_early_stopping,
    check_permutation_importance,
    check_sensitivity_specificity,
    check_standardise_genes,
)

__all__ = [
    "ATOL",
    "RTOL",
    "XOR_INPUTS",
    "XOR_TARGETS",
    "Case",
    "check_adam_step",
    "check_backward_pass",
    "check_batchnorm_forward",
    "check_bce",
    "check_bce_with_logits",
    "check_central_difference",
    "check_close",
    "check_collapse",
    "check_cost_threshold",
    "check_decision_boundary",
    "check_dna_dataset",
    "check_dropout_forward",
    "check_early_stopping",
    "check_fit_early_stopping",
    "check_function",
    "check_hidden_delta",
    "check_leaky_relu_grad",
    "check_mae_grad",
    "check_minibatch_epoch",
    "check_mlp_forward",
    "check_momentum_step",
    "check_neuron_forward",
    "check_parameter_count",
    "check_permutation_importance",
    "check_relu_bump",
    "check_sensitivity_specificity",
    "check_sigmoid",
    "check_sigmoid_grad",
    "check_softmax",
    "check_softmax_backward",
    "check_standardise_genes",
    "check_weight_decay_step",
    "check_weighted_cross_entropy",
    "check_xor_network",
    "compare",
    "is_stub",
    "not_implemented",
    "report",
]
