"""Tests of what notebooks 01 (artificial neuron) and 02 (forward pass) add to dlcourse.

Every new exercise check accepts a correct solution, rejects the typical mistakes with their own
hint (never raising), and reports a stub as not implemented; the new figures render and reject bad
input with a clear message.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import Circle
from matplotlib.text import Annotation

from dlcourse.exercises import nb01_02 as ex
from dlcourse.plots import plot_flowchart, plot_neuron
from dlcourse.scratch import relu


def outcome(capsys, check, *args):
    """The check's return value and the single line it printed."""
    result = check(*args)
    out = capsys.readouterr().out.strip()
    assert "\n" not in out, out
    return result, out


def stub(*args):
    return None


# --------------------------------------------------------------------------------------------
# Notebook 01: decision boundary
# --------------------------------------------------------------------------------------------


def boundary_solution(w, b):
    return -w[0] / w[1], -b / w[1]


def test_decision_boundary_accepts_the_solution(capsys):
    ok, out = outcome(capsys, ex.check_decision_boundary, boundary_solution)
    assert ok and out.startswith("✓")


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (lambda w, b: (w[0] / w[1], b / w[1]), "signs are flipped"),
        (lambda w, b: (-w[1] / w[0], -b / w[0]), "solved for x1"),
        (lambda w, b: (-w[0] / w[1], b / w[1]), "intercept's sign"),
        (lambda w, b: (-w[0] / w[1], -b), "divided by w2"),
        (lambda w, b: -w[0] / w[1], "expected a tuple"),
    ],
)
def test_decision_boundary_rejects_mistakes(capsys, mistake, hint):
    ok, out = outcome(capsys, ex.check_decision_boundary, mistake)
    assert not ok and out.startswith("✗") and hint in out


@pytest.mark.parametrize("answer", [None, ..., stub, lambda w, b: (None, None)])
def test_decision_boundary_stub(capsys, answer):
    ok, out = outcome(capsys, ex.check_decision_boundary, answer)
    assert not ok and "not implemented yet" in out


def test_decision_boundary_reference_is_on_the_line():
    w, b = np.array([-3.0, 0.5]), 2.0
    slope, intercept = ex._boundary_line(w, b)
    x1 = np.linspace(-2, 2, 5)
    assert np.allclose(w[0] * x1 + w[1] * (slope * x1 + intercept) + b, 0.0, atol=1e-12)


# --------------------------------------------------------------------------------------------
# Notebook 01: XOR network
# --------------------------------------------------------------------------------------------

XOR_SOLUTION = (
    np.array([[1.0, 1.0], [1.0, 1.0]]),
    np.array([0.0, -1.0]),
    np.array([[1.0, -2.0]]),
    np.array([-0.5]),
)


def test_xor_network_accepts_the_classic_solution(capsys):
    ok, out = outcome(capsys, ex.check_xor_network, *XOR_SOLUTION)
    assert ok and out.startswith("✓")


def test_xor_network_accepts_other_widths_and_lists(capsys):
    # four units computing |a1 - a2| - |a1 + a2 - 1| + 0.5 > 0 exactly for XOR
    W1 = [[1, -1], [-1, 1], [1, 1], [-1, -1]]
    b1 = [0, 0, -1, 1]
    W2 = [[1, 1, -1, -1]]
    b2 = [-0.5]
    ok, out = outcome(capsys, ex.check_xor_network, W1, b1, W2, b2)
    assert ok, out


def test_xor_network_rejects_a_linear_answer_and_names_the_wrong_inputs(capsys):
    W1, b1, _, b2 = XOR_SOLUTION
    ok, out = outcome(capsys, ex.check_xor_network, W1, b1, np.array([[1.0, -1.0]]), b2)
    assert not ok and "a = (1, 1)" in out and "< 0 (control)" in out
    assert "a = (0, 1)" not in out  # only the wrong combinations are listed


def test_xor_network_rejects_an_undecided_output(capsys):
    ok, out = outcome(capsys, ex.check_xor_network, *XOR_SOLUTION[:3], np.array([0.0]))
    assert not ok and "a = (0, 0) gives z = 0" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.ones((2, 3)), np.zeros(2), np.ones((1, 2)), np.zeros(1)), "W1 must have shape"),
        ((np.ones((2, 2)), np.zeros(3), np.ones((1, 2)), np.zeros(1)), "b1 must have shape (2,)"),
        ((np.ones((2, 2)), np.zeros(2), np.ones(2), np.zeros(1)), "W2 must have shape (1, 2)"),
        ((np.ones((2, 2)), np.zeros(2), np.ones((1, 2)), 0.0), "b2 must have shape (1,)"),
        ((np.ones((2, 2)), np.zeros(2), np.ones((1, 2)), np.array([np.nan])), "nan or inf"),
        ((np.ones((2, 2)), "abc", np.ones((1, 2)), np.zeros(1)), "b1 must be numbers"),
    ],
)
def test_xor_network_explains_bad_shapes_without_raising(capsys, args, message):
    ok, out = outcome(capsys, ex.check_xor_network, *args)
    assert not ok and message in out


def test_xor_network_stub(capsys):
    ok, out = outcome(capsys, ex.check_xor_network, None, None, None, None)
    assert not ok and "not implemented yet" in out
    ok, out = outcome(capsys, ex.check_xor_network, XOR_SOLUTION[0], None, None, None)
    assert not ok and "not implemented yet" in out


# --------------------------------------------------------------------------------------------
# Notebook 02: parameter count
# --------------------------------------------------------------------------------------------


def count_solution(sizes):
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))


def test_parameter_count_accepts_the_solution(capsys):
    ok, out = outcome(capsys, ex.check_parameter_count, count_solution)
    assert ok and out.startswith("✓")
    assert ex._mlp_parameter_count([3, 4, 1]) == 21


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (lambda s: sum(a * b for a, b in zip(s[:-1], s[1:], strict=True)), "Only the weights"),
        (lambda s: count_solution(s) + s[0], "input layer has no bias"),
        (lambda s: sum(a * (b + 1) for a, b in zip(s[:-1], s[1:], strict=True)), "receiving"),
        (lambda s: count_solution(s) + 1, "Count, for each pair"),
    ],
)
def test_parameter_count_rejects_mistakes(capsys, mistake, hint):
    ok, out = outcome(capsys, ex.check_parameter_count, mistake)
    assert not ok and hint in out


def test_parameter_count_stub(capsys):
    ok, out = outcome(capsys, ex.check_parameter_count, stub)
    assert not ok and "not implemented yet" in out


# --------------------------------------------------------------------------------------------
# Notebook 02: MLP forward pass
# --------------------------------------------------------------------------------------------


def mlp_solution(X, layers):
    H = X
    for k, (W, b) in enumerate(layers):
        H = H @ W.T + b
        if k + 1 < len(layers):
            H = np.maximum(H, 0.0)
    return H


def test_mlp_forward_accepts_the_solution(capsys):
    ok, out = outcome(capsys, ex.check_mlp_forward, mlp_solution)
    assert ok and out.startswith("✓")


def relu_everywhere(X, layers):
    H = X
    for W, b in layers:
        H = np.maximum(H @ W.T + b, 0.0)
    return H


def no_relu(X, layers):
    H = X
    for W, b in layers:
        H = H @ W.T + b
    return H


def no_bias(X, layers):
    return mlp_solution(X, [(W, np.zeros_like(b)) for W, b in layers])


def not_transposed(X, layers):
    H = X
    for k, (W, b) in enumerate(layers):
        H = H @ W + b
        if k + 1 < len(layers):
            H = np.maximum(H, 0.0)
    return H


def samples_as_columns(X, layers):
    return mlp_solution(X, layers).T


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (relu_everywhere, "after the output layer"),
        (no_relu, "No ReLU at all"),
        (no_bias, "biases are missing"),
        (not_transposed, "Loop over the layers"),  # a shape error on the first case
        (samples_as_columns, "expected shape (5, 1), got shape (1, 5)"),
    ],
)
def test_mlp_forward_rejects_mistakes(capsys, mistake, hint):
    ok, out = outcome(capsys, ex.check_mlp_forward, mistake)
    assert not ok and hint in out


def test_mlp_forward_catches_a_transpose_on_square_layers(capsys):
    def transposed_only_when_square(X, layers):
        square = all(W.shape[0] == W.shape[1] for W, _ in layers)
        return not_transposed(X, layers) if square else mlp_solution(X, layers)

    ok, out = outcome(capsys, ex.check_mlp_forward, transposed_only_when_square)
    assert not ok and "transpose" in out


def test_mlp_forward_stub(capsys):
    ok, out = outcome(capsys, ex.check_mlp_forward, stub)
    assert not ok and "not implemented yet" in out


# --------------------------------------------------------------------------------------------
# Notebook 02: collapse of linear layers
# --------------------------------------------------------------------------------------------


def collapse_solution(layers):
    W = np.eye(layers[0][0].shape[1])
    b = np.zeros(W.shape[0])
    for W_l, b_l in layers:
        W, b = W_l @ W, W_l @ b + b_l
    return W, b


def test_collapse_accepts_the_solution(capsys):
    ok, out = outcome(capsys, ex.check_collapse, collapse_solution)
    assert ok and out.startswith("✓")


def test_collapse_reference_matches_the_product_formula():
    layers = ex._random_dense_weights([3, 5, 2, 4], 0)
    W_ref, b_ref = ex._collapse_reference(layers)
    W, b = collapse_solution(layers)
    assert np.allclose(W_ref, W, rtol=1e-12, atol=1e-12)
    assert np.allclose(b_ref, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (ex._collapse_bias_sum, "pass through the later layers"),
        (ex._collapse_last_bias, "biases are missing"),
        (lambda layers: collapse_solution(layers)[::-1], "W: expected shape"),
    ],
)
def test_collapse_rejects_mistakes(capsys, mistake, hint):
    ok, out = outcome(capsys, ex.check_collapse, mistake)
    assert not ok and hint in out


def test_collapse_catches_the_order_on_square_layers(capsys):
    def reversed_when_possible(layers):
        try:
            return ex._collapse_reversed(layers)
        except ValueError:
            return collapse_solution(layers)

    ok, out = outcome(capsys, ex.check_collapse, reversed_when_possible)
    assert not ok and "wrong order" in out


def test_collapse_stub(capsys):
    ok, out = outcome(capsys, ex.check_collapse, lambda layers: (None, None))
    assert not ok and "not implemented yet" in out


# --------------------------------------------------------------------------------------------
# Notebook 02: a ReLU bump
# --------------------------------------------------------------------------------------------


def bump_solution(x, left, peak, right):
    up, down = 1 / (peak - left), 1 / (right - peak)
    return up * relu(x - left) - (up + down) * relu(x - peak) + down * relu(x - right)


def test_relu_bump_accepts_the_solution(capsys):
    ok, out = outcome(capsys, ex.check_relu_bump, bump_solution)
    assert ok and out.startswith("✓")


def test_relu_bump_reference_is_the_hat_function():
    x = np.linspace(-3, 5, 81)
    hat = np.interp(x, [-1.0, 0.5, 3.0], [0.0, 1.0, 0.0], left=0.0, right=0.0)
    assert np.allclose(ex._relu_bump(x, -1.0, 0.5, 3.0), hat, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (
            lambda x, l, p, r: (relu(x - l) - 2 * relu(x - p) + relu(x - r)) / (p - l),
            "equal spacing",
        ),
        (lambda x, l, p, r: relu(x - l) - 2 * relu(x - p) + relu(x - r), "height at the peak"),
        (lambda x, l, p, r: (relu(x - l) - relu(x - p)) / (p - l), "ramp"),
        (lambda x, l, p, r: np.exp(-((x - p) ** 2)), "change of slope"),
    ],
)
def test_relu_bump_rejects_mistakes(capsys, mistake, hint):
    ok, out = outcome(capsys, ex.check_relu_bump, mistake)
    assert not ok and hint in out


def test_relu_bump_stub_and_exception(capsys):
    ok, out = outcome(capsys, ex.check_relu_bump, stub)
    assert not ok and "not implemented yet" in out

    def broken(x, left, peak, right):
        raise KeyError("oops")

    ok, out = outcome(capsys, ex.check_relu_bump, broken)
    assert not ok and "KeyError" in out


def test_new_checks_are_exported():
    for name in [
        "check_collapse",
        "check_decision_boundary",
        "check_mlp_forward",
        "check_parameter_count",
        "check_relu_bump",
        "check_xor_network",
    ]:
        assert name in ex.__all__ and callable(getattr(ex, name))


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def test_plot_flowchart_draws_every_row_and_step():
    rows = {"classic": ["raw", "features", "model"], "deep": ["raw", "layers"]}
    ax = plot_flowchart(rows, highlight={"deep": [1]})
    texts = [text.get_text() for text in ax.texts if text.get_text()]
    assert texts == ["classic", "raw", "features", "model", "deep", "raw", "layers"]
    arrows = [text for text in ax.texts if isinstance(text, Annotation)]
    assert len(arrows) == 2 + 1
    start = next(i for i, text in enumerate(ax.texts) if text.get_text() == "deep")
    deep_boxes = [text for text in ax.texts[start + 1 :] if text.get_text()]
    colour = {text.get_text(): text.get_bbox_patch().get_facecolor() for text in deep_boxes}
    assert colour["layers"] != colour["raw"]  # the highlighted step is filled differently
    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("rows", "highlight", "message"),
    [
        ({}, None, "rows: expected a non-empty mapping"),
        ({"a": []}, None, "rows['a']: expected a non-empty list"),
        ({"a": "text"}, None, "rows['a']: expected a non-empty list"),
        ({"a": ["x"]}, {"b": [0]}, "highlight: expected row names"),
    ],
)
def test_plot_flowchart_rejects_bad_input(rows, highlight, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        plot_flowchart(rows, highlight=highlight)
    plt.close("all")


def test_plot_neuron_draws_inputs_and_the_unit():
    ax = plot_neuron(["$x_1$", "$x_2$", "$x_3$", "$x_4$"], activation="$\\sigma$")
    circles = [patch for patch in ax.patches if isinstance(patch, Circle)]
    assert len(circles) == 4 + 1
    texts = [text.get_text() for text in ax.texts]
    assert "$w_{4}$" in texts and "$\\sigma$" in texts and "$y$" in texts
    plt.close(ax.figure)


@pytest.mark.parametrize("labels", [[], "x1", None])
def test_plot_neuron_rejects_bad_labels(labels):
    with pytest.raises(ValueError, match="input_labels: expected a non-empty list"):
        plot_neuron(labels)
    plt.close("all")
