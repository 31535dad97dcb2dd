"""Tests of dlcourse.data: the Breast Cancer Wisconsin loader, the simulators, DNA helpers."""

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from dlcourse import data

README = Path(__file__).resolve().parents[1] / "data" / "README.md"


@pytest.fixture(scope="module")
def sklearn_copy():
    return load_breast_cancer()


@pytest.fixture(scope="module")
def splits():
    return data.load_breast_cancer_splits()


# ---------------------------------------------------------------------------------------------
# Breast Cancer Wisconsin
# ---------------------------------------------------------------------------------------------


def test_split_shapes_and_dtypes(splits):
    parts = [
        (splits.X_train, splits.y_train),
        (splits.X_val, splits.y_val),
        (splits.X_test, splits.y_test),
    ]
    assert sum(len(y) for _, y in parts) == 569
    for X, y in parts:
        assert X.shape == (len(y), 30)
        assert X.dtype == np.float64 and y.dtype == np.int64
    assert len(splits.X_val) == len(splits.X_test) == 86  # 15% of 569, rounded up
    assert len(splits.feature_names) == 30 and splits.feature_names[0] == "mean radius"


def test_parts_are_disjoint_and_cover_all_rows(splits):
    rows = np.concatenate([splits.train_idx, splits.val_idx, splits.test_idx])
    assert np.array_equal(np.sort(rows), np.arange(569))


def test_split_is_stratified(splits):
    overall = 212 / 569
    for y in (splits.y_train, splits.y_val, splits.y_test):
        assert abs(y.mean() - overall) < 0.02


def test_default_coding_makes_malignant_positive(splits, sklearn_copy):
    assert splits.class_names == ("benign", "malignant")
    assert splits.positive_class == "malignant"
    # scikit-learn: 0 = malignant; ours: 1 = malignant
    assert np.array_equal(splits.y_train, 1 - sklearn_copy.target[splits.train_idx])
    assert splits.y_train.sum() + splits.y_val.sum() + splits.y_test.sum() == 212
    assert "1 = malignant" in repr(splits) and "1 = malignant" in splits.coding
    train = splits.as_frame("train")
    assert (train["diagnosis"] == "malignant").eq(train["label"] == 1).all()


def test_benign_positive_keeps_sklearn_coding(sklearn_copy):
    benign = data.load_breast_cancer_splits(positive="benign")
    assert benign.class_names == ("malignant", "benign")
    assert np.array_equal(benign.y_test, sklearn_copy.target[benign.test_idx])
    assert "1 = benign" in repr(benign)


def test_scaler_saw_training_rows_only(splits, sklearn_copy):
    raw_train = sklearn_copy.data[splits.train_idx]
    assert splits.scaler.n_samples_seen_ == len(splits.train_idx)
    np.testing.assert_allclose(splits.scaler.mean_, raw_train.mean(axis=0))
    np.testing.assert_allclose(splits.scaler.scale_, raw_train.std(axis=0))
    np.testing.assert_allclose(splits.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(splits.X_train.std(axis=0), 1, atol=1e-12)
    # validation/test are transformed with the training statistics, not their own
    assert np.abs(splits.X_val.mean(axis=0)).max() > 0.05
    np.testing.assert_allclose(
        splits.X_test, (sklearn_copy.data[splits.test_idx] - raw_train.mean(0)) / raw_train.std(0)
    )


def test_unscaled_option_returns_raw_measurements(sklearn_copy):
    raw = data.load_breast_cancer_splits(scale=False)
    assert raw.scaler is None
    np.testing.assert_array_equal(raw.X_val, sklearn_copy.data[raw.val_idx])
    pd.testing.assert_frame_equal(raw.as_frame("all"), raw.raw)


def test_split_is_seeded():
    a, b = data.load_breast_cancer_splits(seed=3), data.load_breast_cancer_splits(seed=3)
    c = data.load_breast_cancer_splits(seed=4)
    assert np.array_equal(a.test_idx, b.test_idx)
    assert not np.array_equal(a.test_idx, c.test_idx)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"val_size": 0.5, "test_size": 0.5}, "val_size + test_size"),
        ({"val_size": 0.0}, "val_size"),
        ({"test_size": 1.2}, "test_size"),
        ({"positive": "cancer"}, "positive"),
        ({"seed": -1}, "seed"),
    ],
)
def test_loader_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message) + ".*expected"):
        data.load_breast_cancer_splits(**kwargs)


def test_as_frame_rejects_unknown_part(splits):
    with pytest.raises(ValueError, match="part: expected"):
        splits.as_frame("training")


def test_check_accepts_the_shipped_copy_and_rejects_changes(sklearn_copy):
    assert data.check_breast_cancer_data() is True
    X, y = sklearn_copy.data.copy(), sklearn_copy.target.copy()
    X[10, 3] += 1e-9
    with pytest.raises(ValueError, match="checksum"):
        data.check_breast_cancer_data(X, y)
    with pytest.raises(ValueError, match="shape"):
        data.check_breast_cancer_data(X[:-1], y)
    y_flipped = y.copy()
    y_flipped[0] = 1 - y_flipped[0]
    with pytest.raises(ValueError, match="class counts"):
        data.check_breast_cancer_data(sklearn_copy.data, y_flipped)


def test_readme_states_the_verified_checksum(sklearn_copy):
    digest = hashlib.sha256(np.ascontiguousarray(sklearn_copy.data, "<f8").tobytes()).hexdigest()
    assert digest == data.BREAST_CANCER_SHA256
    assert digest in README.read_text(encoding="utf-8")


def test_readme_lists_every_dataset_function():
    text = README.read_text(encoding="utf-8")
    for name in data.__all__:
        if name.startswith(("simulate_", "make_", "load_")):
            assert f"{name}(" in text or f"`{name}`" in text, name


def test_every_file_in_data_is_listed_with_its_checksum():
    text = README.read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\|\s*`([^`]+)`\s*\|.*\|\s*`?([0-9a-f]{64})`?\s*\|\s*$", text, re.M))
    files = [p for p in README.parent.rglob("*") if p.is_file() and p.name != "README.md"]
    for path in files:
        name = path.relative_to(README.parent).as_posix()
        assert name in listed, f"data/{name} is not listed in data/README.md"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == listed[name], name


# ---------------------------------------------------------------------------------------------
# Simulators: conventions and reproducibility
# ---------------------------------------------------------------------------------------------

SIMULATORS = [
    (data.simulate_epistasis, {"n_samples": 50}),
    (data.simulate_epistasis, {"n_samples": 50, "kind": "genotype", "n_noise_features": 3}),
    (data.simulate_p_much_greater_than_n, {"n_samples": 20, "n_genes": 100}),
    (data.simulate_expression_regression, {"n_samples": 30}),
    (data.simulate_tumour_subtypes, {"n_samples": 40}),
    (data.simulate_dna_motif, {"n_sequences": 20, "length": 30}),
]


@pytest.mark.parametrize(("simulate", "kwargs"), SIMULATORS)
def test_simulators_are_reproducible_and_follow_the_convention(simulate, kwargs):
    X, y = simulate(seed=7, **kwargs)
    X_again, y_again = simulate(seed=7, **kwargs)
    X_other, _ = simulate(seed=8, **kwargs)
    pd.testing.assert_frame_equal(X, X_again)
    pd.testing.assert_series_equal(y, y_again)
    assert not X.equals(X_other)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert X.index.equals(y.index) and X.index[0] == "S0001" and y.name
    assert all(re.fullmatch(r"GENE\d{4,}|rs\d{4,}|sequence", str(c)) for c in X.columns)


@pytest.mark.parametrize("simulate", sorted({s for s, _ in SIMULATORS}, key=lambda s: s.__name__))
def test_simulators_reject_a_bad_seed(simulate):
    with pytest.raises(ValueError, match="seed: expected"):
        simulate(seed=-3)


# ---------------------------------------------------------------------------------------------
# Simulators: the documented signal is there
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["expression", "genotype"])
def test_epistasis_defeats_a_linear_model_but_not_a_small_mlp(kind):
    X, y = data.simulate_epistasis(n_samples=1000, seed=0, kind=kind)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X.to_numpy(float), y.to_numpy(), test_size=0.5, random_state=0, stratify=y
    )
    linear = LogisticRegression().fit(X_tr, y_tr).score(X_te, y_te)
    mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=3000, random_state=0)
    assert linear < 0.65
    assert mlp.fit(X_tr, y_tr).score(X_te, y_te) > 0.88


def test_epistasis_phenotype_is_the_xor_up_to_the_flip_rate():
    X, y = data.simulate_epistasis(n_samples=4000, seed=1, noise=0.1)
    xor = (X["GENE0001"] > 0) ^ (X["GENE0002"] > 0)
    assert abs((xor != y).mean() - 0.1) < 0.02
    G, phenotype = data.simulate_epistasis(n_samples=4000, seed=1, noise=0.0, kind="genotype")
    assert set(np.unique(G.to_numpy())) <= {0, 1, 2}
    assert ((G["rs0001"] >= 1) ^ (G["rs0002"] >= 1)).eq(phenotype == 1).all()
    assert abs((G["rs0001"] >= 1).mean() - 0.5) < 0.03  # half the samples are carriers


def test_p_much_greater_than_n_informative_genes_differ():
    X, y = data.simulate_p_much_greater_than_n(seed=0)
    assert X.shape == (100, 2000) and y.sum() == 50
    difference = (X[y == 1].mean() - X[y == 0].mean()).abs()
    assert difference.iloc[:10].mean() > 0.7
    assert difference.iloc[10:].mean() < 0.25


def test_expression_regression_needs_a_nonlinear_model():
    X, y = data.simulate_expression_regression(seed=0)
    x1, x2, x3 = (X[f"GENE000{i}"] for i in (1, 2, 3))
    truth = 2 * np.tanh(1.5 * x1) - 1.5 * np.tanh(1.5 * x2) + 0.8 * x1 * x3
    oracle_r2 = 1 - ((y - truth) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.5, random_state=0)
    linear_r2 = LinearRegression().fit(X_tr, y_tr).score(X_te, y_te)
    assert oracle_r2 > 0.95
    assert linear_r2 < oracle_r2 - 0.1


def test_tumour_subtypes_have_markers_and_requested_proportions():
    X, y = data.simulate_tumour_subtypes(seed=0)
    assert y.value_counts().sort_index().tolist() == [150] * 4
    for k in range(4):
        markers = X.iloc[:, 5 * k : 5 * (k + 1)]
        assert markers[y == k].to_numpy().mean() - markers[y != k].to_numpy().mean() > 1.2
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.5, random_state=0)
    assert LogisticRegression(max_iter=1000).fit(X_tr, y_tr).score(X_te, y_te) > 0.8
    _, y_imb = data.simulate_tumour_subtypes(n_samples=200, imbalance=(0.55, 0.25, 0.15, 0.05))
    assert y_imb.value_counts().sort_index().tolist() == [110, 50, 30, 10]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"imbalance": (0.5, 0.5)}, "imbalance"),
        ({"n_genes": 10}, "n_genes"),
        ({"n_subtypes": 1}, "n_subtypes"),
    ],
)
def test_tumour_subtypes_reject_sizes_that_do_not_add_up(kwargs, message):
    with pytest.raises(ValueError, match=f"{message}: expected"):
        data.simulate_tumour_subtypes(**kwargs)


@pytest.mark.parametrize(
    ("simulate", "kwargs", "message"),
    [
        (data.simulate_epistasis, {"kind": "phenotype"}, "kind"),
        (data.simulate_epistasis, {"noise": 0.7}, "noise"),
        (data.simulate_p_much_greater_than_n, {"n_genes": 5, "n_informative": 10}, "n_genes"),
        (data.simulate_expression_regression, {"n_genes": 2}, "n_genes"),
        (data.simulate_dna_motif, {"length": 4}, "length"),
        (data.simulate_dna_motif, {"motif": "TATANT"}, "motif"),
    ],
)
def test_simulators_reject_bad_arguments(simulate, kwargs, message):
    with pytest.raises(ValueError, match=f"{message}: expected"):
        simulate(**kwargs)


def test_extreme_subtype_imbalance_leaving_a_class_empty_is_an_error():
    with pytest.raises(
        ValueError,
        match=r"simulate_tumour_subtypes: imbalance: expected proportions giving every subtype "
        r"at least one .*, got 0 tumours of subtype 3",
    ):
        data.simulate_tumour_subtypes(n_samples=40, imbalance=(0.6, 0.3, 0.09, 0.001))


def test_tiny_positive_fraction_leaving_no_positive_is_an_error():
    with pytest.raises(
        ValueError,
        match=r"simulate_dna_motif: positive_fraction: expected a fraction giving at least 1 "
        r"positive of 100 sequences, got 0.001 \(0 positives\)",
    ):
        data.simulate_dna_motif(n_sequences=100, positive_fraction=0.001)


def test_a_motif_negatives_cannot_avoid_is_an_error_not_a_hang():
    with pytest.raises(
        ValueError,
        match=r"simulate_dna_motif: motif: expected a motif that random negatives can avoid .*"
        r"'AT' .*nearly impossible",
    ):
        data.simulate_dna_motif(motif="AT", length=200)
    data.simulate_dna_motif(n_sequences=20, motif="ATG", length=20)  # rare enough: works


# ---------------------------------------------------------------------------------------------
# DNA
# ---------------------------------------------------------------------------------------------


def test_dna_motif_is_in_every_positive_and_no_negative():
    X, y = data.simulate_dna_motif(n_sequences=300, length=60, seed=2)
    seqs = X["sequence"]
    assert (seqs.str.len() == 60).all() and seqs.str.fullmatch("[ACGT]+").all()
    assert y.sum() == 150
    has_motif = seqs.str.contains("TATAAT") | seqs.str.contains("ATTATA")
    assert has_motif.eq(y == 1).all()


def test_dna_motif_on_both_strands():
    X, y = data.simulate_dna_motif(n_sequences=200, seed=0, both_strands=True)
    seqs = X["sequence"][y == 1]
    forward, reverse = seqs.str.contains("TATAAT"), seqs.str.contains("ATTATA")
    assert (forward | reverse).all() and (reverse & ~forward).sum() > 30


def test_one_hot_order_shape_and_reverse_complement_symmetry():
    assert data.one_hot_dna("ACGT").tolist() == np.eye(4).tolist()
    assert data.one_hot_dna("acgt").tolist() == np.eye(4).tolist()
    X, _ = data.simulate_dna_motif(n_sequences=10, length=25)
    encoded = data.one_hot_dna(X["sequence"])
    assert encoded.shape == (10, 25, 4) and encoded.dtype == np.float32
    assert (encoded.sum(axis=-1) == 1).all()
    # with channels A, C, G, T, complementing reverses the channels and the strand the positions
    reverse = data.one_hot_dna(data.reverse_complement(X["sequence"]))
    np.testing.assert_array_equal(reverse, encoded[:, ::-1, ::-1])


def test_reverse_complement():
    assert data.reverse_complement("AACG") == "CGTT"
    assert data.reverse_complement("TATAAT") == "ATTATA"
    assert data.reverse_complement("acgT") == "Acgt"
    assert data.reverse_complement(["AC", "GG"]) == ["GT", "CC"]
    series = pd.Series(["AAC", "GTT"], index=["a", "b"], name="sequence")
    result = data.reverse_complement(series)
    assert result.tolist() == ["GTT", "AAC"] and result.index.equals(series.index)
    assert data.reverse_complement(data.reverse_complement("GATTACA")) == "GATTACA"


def test_dna_helpers_name_bad_characters_and_lengths():
    with pytest.raises(ValueError, match=r"\['N', 'X'\]"):
        data.one_hot_dna(["ACGNX"])
    with pytest.raises(ValueError, match="equal length"):
        data.one_hot_dna(["ACG", "AC"])
    with pytest.raises(ValueError, match=r"\['U'\]"):
        data.reverse_complement("ACGU")
    with pytest.raises(ValueError, match="iterable of strings"):
        data.one_hot_dna(42)
