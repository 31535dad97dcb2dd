"""Self-checks for the notebooks' exercises: one line ✓, ✗ with a hint, or … for a stub; never raise.

A notebook exercise ends with a call such as ``check_sigmoid(sigmoid)``. The check runs the
student's function on its own inputs (including extremes such as z = ±1000 and integer arrays where
the exercise allows them), compares with the reference implementation in :mod:`dlcourse.scratch`
within a stated tolerance, and prints one line:

* ``✓ <exercise>: correct on N test cases (rtol=…, atol=…)`` when every case matches;
* ``✗ <exercise>: <what is off>. <hint>`` otherwise, naming the typical mistake when it recognises
  one (never the answer);
* ``… <exercise>: not implemented yet`` for an untouched stub (``None``, ``...``, a body that only
  returns ``None``, or ``raise NotImplementedError``), so the student edition runs top to bottom.
  A function that computes something but returns ``None`` is told it forgot its ``return``.

The check returns a :class:`CheckResult`, truthy only when passed (``assert check_x(f)`` in a
solution cell) and displayed as nothing in Jupyter: the line appears exactly once under the cell.
A check never raises and never hangs: exceptions (``sys.exit()`` included), numerical warnings,
arguments changed in place and code running past the time limit are reported as ✗.

Layout, one module per topic (the notebooks' topics, named as in :mod:`dlcourse.scratch`):

============================  ========================================================
``core``                      the engine: ``check_function``, ``run_student``, ``CheckResult``
``neuron``                    sigmoid, a neuron on a batch, decision boundary, XOR by hand
``forward_pass``              parameter count, MLP forward, collapse of linear layers, ReLU bump
``gradient_descent``          momentum step, Adam step, one epoch of mini-batch SGD
``backpropagation``           central difference, hidden delta, a full backward pass
``activations``               sigmoid and leaky-ReLU derivatives, softmax, softmax backward
``losses``                    MAE gradient, BCE, BCE from logits, weighted cross-entropy
``regularization``            weight decay, inverted dropout, early-stopping rule, batch norm
``pytorch``                   standardise genes, a DNA ``Dataset``, early stopping by hand
``metrics``                   sensitivity/specificity, cost threshold, permutation importance
``practical``                 the six scaffolded steps of notebook 09, their references
============================  ========================================================

A topic module imports only ``core`` (never a sibling). A new check goes in its topic's module,
built on ``check_function`` (or ``run_student`` + ``trouble`` for answers that are not a function
of array inputs), and is listed in that module's ``__all__``; this package re-exports every public
check, so notebooks write ``from dlcourse.exercises import check_...``.
"""

from dlcourse.exercises.activations import (
    check_leaky_relu_grad,
    check_sigmoid_grad,
    check_softmax,
    check_softmax_backward,
)
from dlcourse.exercises.backpropagation import (
    check_backward_pass,
    check_central_difference,
    check_hidden_delta,
)
from dlcourse.exercises.core import (
    ATOL,
    RTOL,
    TIME_LIMIT_S,
    Case,
    CheckResult,
    check_close,
    check_function,
    compare,
    is_stub,
    not_implemented,
    report,
)
from dlcourse.exercises.forward_pass import (
    check_collapse,
    check_mlp_forward,
    check_parameter_count,
    check_relu_bump,
)
from dlcourse.exercises.gradient_descent import (
    check_adam_step,
    check_minibatch_epoch,
    check_momentum_step,
)
from dlcourse.exercises.losses import (
    check_bce,
    check_bce_with_logits,
    check_mae_grad,
    check_weighted_cross_entropy,
)
from dlcourse.exercises.metrics import (
    check_cost_threshold,
    check_permutation_importance,
    check_sensitivity_specificity,
)
from dlcourse.exercises.neuron import (
    check_decision_boundary,
    check_neuron_forward,
    check_sigmoid,
    check_xor_network,
)
from dlcourse.exercises.practical import (
    C_GRID,
    RATE_NAMES,
    TEST_SIZE,
    VAL_SIZE,
    check_choose_threshold,
    check_evaluate_at_threshold,
    check_fit_baseline,
    check_make_mlp,
    check_split_and_scale,
    check_train_mlp,
    or_reference,
    reference_choose_threshold,
    reference_evaluate_at_threshold,
    reference_fit_baseline,
    reference_make_mlp,
    reference_split_and_scale,
    reference_train_mlp,
)
from dlcourse.exercises.pytorch import (
    check_dna_dataset,
    check_fit_early_stopping,
    check_standardise_genes,
)
from dlcourse.exercises.regularization import (
    check_batchnorm_forward,
    check_dropout_forward,
    check_early_stopping,
    check_weight_decay_step,
)

__all__ = [
    "ATOL",
    "C_GRID",
    "RATE_NAMES",
    "RTOL",
    "TEST_SIZE",
    "TIME_LIMIT_S",
    "VAL_SIZE",
    "Case",
    "CheckResult",
    "check_adam_step",
    "check_backward_pass",
    "check_batchnorm_forward",
    "check_bce",
    "check_bce_with_logits",
    "check_central_difference",
    "check_choose_threshold",
    "check_close",
    "check_collapse",
    "check_cost_threshold",
    "check_decision_boundary",
    "check_dna_dataset",
    "check_dropout_forward",
    "check_early_stopping",
    "check_evaluate_at_threshold",
    "check_fit_baseline",
    "check_fit_early_stopping",
    "check_function",
    "check_hidden_delta",
    "check_leaky_relu_grad",
    "check_mae_grad",
    "check_make_mlp",
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
    "check_split_and_scale",
    "check_standardise_genes",
    "check_train_mlp",
    "check_weight_decay_step",
    "check_weighted_cross_entropy",
    "check_xor_network",
    "compare",
    "is_stub",
    "not_implemented",
    "or_reference",
    "reference_choose_threshold",
    "reference_evaluate_at_threshold",
    "reference_fit_baseline",
    "reference_make_mlp",
    "reference_split_and_scale",
    "reference_train_mlp",
    "report",
]
