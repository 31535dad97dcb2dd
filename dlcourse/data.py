"""Datasets of the course: Breast Cancer Wisconsin and seeded simulators for genomics examples.

Conventions used throughout this module:

* Every genomics simulator takes a keyword ``seed`` (a non-negative integer that seeds a
  ``numpy.random.Generator``) and returns a pair ``(X, y)``: ``X`` is a ``pandas.DataFrame`` with
  one row per sample (index ``S0001``, ``S0002``, ...) and one named column per feature (genes
  ``GENE0001``, ``GENE0002``, ... or SNPs ``rs0001``, ``rs0002``, ...; DNA in a column
  ``sequence``), and ``y`` is a ``pandas.Series`` on the same index, named after the target. The
  same seed always gives the same data.
* The generative process of every simulator is written in its docstring; nothing else is hidden.
* Bad arguments raise ``ValueError("<what>: expected <expected>, got <received>")``.

Every dataset, its origin and licence are listed in ``data/README.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn import datasets as _sk_datasets
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from dlcourse._validation import fail, require_int, require_real

__all__ = [
    "BREAST_CANCER_CLASS_COUNTS",
    "BREAST_CANCER_SHA256",
    "BREAST_CANCER_SHAPE",
    "DNA_ALPHABET",
    "BreastCancerSplits",
    "check_breast_cancer_data",
    "load_breast_cancer_splits",
    "one_hot_dna",
    "reverse_complement",
    "simulate_dna_motif",
    "simulate_epistasis",
    "simulate_expression_regression",
    "simulate_p_much_greater_than_n",
    "simulate_tumour_subtypes",
]

# -------------------------------------------------------------------------------------------------
# Small private helpers shared by the loaders and simulators
# -------------------------------------------------------------------------------------------------


def _rng(seed: object) -> np.random.Generator:
    return np.random.default_rng(require_int("seed", seed, 0))


def _names(prefix: str, count: int, start: int = 1) -> list[str]:
    width = max(4, len(str(start + count - 1)))
    return [f"{prefix}{i:0{width}d}" for i in range(start, start + count)]


def _frame(values: np.ndarray, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        values, columns=columns, index=pd.Index(_names("S", len(values)), name="sample")
    )


def _series(values: np.ndarray, name: str, X: pd.DataFrame) -> pd.Series:
    return pd.Series(values, index=X.index, name=name)


# -------------------------------------------------------------------------------------------------
# Breast Cancer Wisconsin (Diagnostic), from the copy that scikit-learn ships
# -------------------------------------------------------------------------------------------------

BREAST_CANCER_SHAPE = (569, 30)
#: Class counts by name; scikit-learn codes malignant as 0 and benign as 1.
BREAST_CANCER_CLASS_COUNTS = {"malignant": 212, "benign": 357}
#: SHA-256 of the raw feature matrix: 569 x 30 float64, little-endian, C order (``X.tobytes()``).
BREAST_CANCER_SHA256 = "6b202a2072f9a0385f405a8f8605b1b06f6f36ae6d23d9cd6cbbc0974a416bc7"

_POSITIVE_CHOICES = ("malignant", "benign")
_PARTS = ("all", "train", "val", "test")


def _sha256_of_features(X: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(X, dtype="<f8").tobytes()).hexdigest()


def check_breast_cancer_data(X: np.ndarray | None = None, y: np.ndarray | None = None) -> bool:
    """Verify that the Breast Cancer Wisconsin data is exactly the expected copy.

    Three checks: the shape is 569 x 30; the class counts are 212 malignant (sklearn label 0) and
    357 benign (sklearn label 1); the SHA-256 of the feature matrix bytes (float64, little-endian,
    C order) equals ``BREAST_CANCER_SHA256``, which is also written in ``data/README.md``.

    Args:
        X: feature matrix ``(569, 30)`` in scikit-learn's row order; ``None``: scikit-learn's copy.
        y: labels ``(569,)`` in scikit-learn's coding (0 = malignant, 1 = benign); ``None``: its
            copy.

    Returns:
        True when every check passes.

    Raises:
        ValueError: naming the check that failed, the expected and the received value.
    """
    if X is None or y is None:
        bunch = _sk_datasets.load_breast_cancer()
        X = bunch.data if X is None else X
        y = bunch.target if y is None else y
    X, y = np.asarray(X), np.asarray(y)
    if X.shape != BREAST_CANCER_SHAPE:
        raise fail("breast cancer feature matrix shape", str(BREAST_CANCER_SHAPE), X.shape)
    if y.shape != (BREAST_CANCER_SHAPE[0],):
        raise fail("breast cancer label shape", f"({BREAST_CANCER_SHAPE[0]},)", y.shape)
    counts = {"malignant": int(np.sum(y == 0)), "benign": int(np.sum(y == 1))}
    if counts != BREAST_CANCER_CLASS_COUNTS or counts["malignant"] + counts["benign"] != len(y):
        raise fail(
            "breast cancer class counts (sklearn coding 0 = malignant, 1 = benign)",
            str(BREAST_CANCER_CLASS_COUNTS),
            f"{counts} and {len(y) - sum(counts.values())} other label(s)",
        )
    digest = _sha256_of_features(X)
    if digest != BREAST_CANCER_SHA256:
        raise fail("breast cancer feature checksum (SHA-256)", BREAST_CANCER_SHA256, digest)
    return True


@dataclass(frozen=True, eq=False)
class BreastCancerSplits:
    """Stratified train / validation / test split of Breast Cancer Wisconsin.

    Attributes:
        X_train, X_val, X_test: float64 features ``(n_part, 30)``; standardised with ``scaler``
            when the loader was called with ``scale=True``, otherwise the raw measurements.
        y_train, y_val, y_test: int64 labels ``(n_part,)``; label 1 is ``positive_class``.
        feature_names: the 30 feature names, in column order.
        class_names: ``class_names[label]`` is that label's name, e.g. ``("benign", "malignant")``.
        positive_class: the name of the class coded 1.
        scaler: the ``StandardScaler`` fitted on the training rows only (``None`` if unscaled).
        raw: all 569 rows unscaled, the 30 features plus ``label`` (this object's coding) and
            ``diagnosis`` (the class name); the index is the row number in scikit-learn's copy.
        train_idx, val_idx, test_idx: the rows of ``raw`` in each part (same order as the arrays).
    """

    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, str]
    positive_class: str
    scaler: StandardScaler | None
    raw: pd.DataFrame
    train_idx: np.ndarray
    val_idx: np.ndarray
    test_idx: np.ndarray

    @property
    def coding(self) -> str:
        """The label coding in words, e.g. ``"1 = malignant (positive), 0 = benign"``."""
        return f"1 = {self.class_names[1]} (positive), 0 = {self.class_names[0]}"

    def as_frame(self, part: str = "train") -> pd.DataFrame:
        """Unscaled rows of one part (``"train"``, ``"val"``, ``"test"`` or ``"all"``) for EDA.

        Exploratory analysis that guides modelling choices should look at ``"train"`` only.
        """
        if part not in _PARTS:
            raise fail("part", f"one of {_PARTS}", repr(part))
        if part == "all":
            return self.raw.copy()
        return self.raw.loc[getattr(self, f"{part}_idx")].copy()

    def __repr__(self) -> str:
        def counts(y: np.ndarray) -> str:
            return f"{len(y)} ({int(y.sum())} {self.class_names[1]})"

        scaled = "StandardScaler fitted on train" if self.scaler is not None else "unscaled"
        return (
            f"BreastCancerSplits(labels: {self.coding}; "
            f"train {counts(self.y_train)}, val {counts(self.y_val)}, test {counts(self.y_test)}; "
            f"{len(self.feature_names)} features, {scaled})"
        )


def load_breast_cancer_splits(
    val_size: float = 0.15,
    test_size: float = 0.15,
    seed: int = 0,
    positive: str = "malignant",
    scale: bool = True,
) -> BreastCancerSplits:
    """Breast Cancer Wisconsin (Diagnostic) split into train / validation / test, leak-free.

    The data is scikit-learn's bundled copy (no download), verified first with
    :func:`check_breast_cancer_data`. 569 tumours (fine-needle aspirates), 30 cytology features.

    Label coding: scikit-learn's copy codes **0 = malignant, 1 = benign**. This loader returns, by
    default (``positive="malignant"``), **1 = malignant, 0 = benign**, so that the positive class is
    the one we want to detect and "recall" means sensitivity to malignancy. ``positive="benign"``
    keeps scikit-learn's coding. The returned object's ``class_names``, ``positive_class`` and repr
    state the coding.

    Splitting: first ``test_size`` of the rows is held out, then ``val_size`` (a fraction of the
    whole) from the rest, both stratified by class and seeded, so every part has the overall
    malignant/benign ratio. With ``scale=True`` a ``StandardScaler`` is fitted on the training rows
    only, ``x' = (x - mean_train) / sd_train``, and applied to all three parts: no statistic of the
    validation or test rows leaks into training.

    Args:
        val_size: fraction of all rows for validation, in (0, 1).
        test_size: fraction of all rows for testing, in (0, 1); ``val_size + test_size < 1``.
        seed: seed of the shuffling (non-negative integer).
        positive: ``"malignant"`` or ``"benign"``, the class coded 1.
        scale: standardise the features with the training rows' mean and standard deviation.

    Returns:
        BreastCancerSplits with float64 ``X_*`` ``(n_part, 30)`` and int64 ``y_*`` ``(n_part,)``.

    Raises:
        ValueError: fractions out of range or not adding up, unknown ``positive``, or the data is
            not the expected copy.
    """
    val_size = require_real("val_size", val_size, 0, 1, "(0, 1)")
    test_size = require_real("test_size", test_size, 0, 1, "(0, 1)")
    if val_size + test_size >= 1.0:
        raise fail(
            "val_size + test_size",
            "a total below 1 (leaving rows to train on)",
            val_size + test_size,
        )
    if positive not in _POSITIVE_CHOICES:
        raise fail("positive", f"one of {_POSITIVE_CHOICES}", repr(positive))
    seed = require_int("seed", seed, 0)

    bunch = _sk_datasets.load_breast_cancer()
    check_breast_cancer_data(bunch.data, bunch.target)
    X = bunch.data.astype(np.float64)
    # scikit-learn: 0 = malignant, 1 = benign; flip when malignant must be the positive class
    y = (1 - bunch.target if positive == "malignant" else bunch.target).astype(np.int64)
    class_names = ("benign", "malignant") if positive == "malignant" else ("malignant", "benign")
    feature_names = tuple(str(name) for name in bunch.feature_names)

    rows = np.arange(len(y))
    rest_idx, test_idx = train_test_split(rows, test_size=test_size, stratify=y, random_state=seed)
    train_idx, val_idx = train_test_split(
        rest_idx,
        test_size=val_size / (1.0 - test_size),
        stratify=y[rest_idx],
        random_state=seed,
    )

    scaler = StandardScaler().fit(X[train_idx]) if scale else None

    def features(idx: np.ndarray) -> np.ndarray:
        part = X[idx]
        return scaler.transform(part) if scaler is not None else part.copy()

    raw = pd.DataFrame(X, columns=list(feature_names))
    raw["label"] = y
    raw["diagnosis"] = pd.Categorical.from_codes(y, categories=list(class_names))
    return BreastCancerSplits(
        X_train=features(train_idx),
        X_val=features(val_idx),
        X_test=features(test_idx),
        y_train=y[train_idx],
        y_val=y[val_idx],
        y_test=y[test_idx],
        feature_names=feature_names,
        class_names=class_names,
        positive_class=class_names[1],
        scaler=scaler,
        raw=raw,
        train_idx=train_idx,
        val_idx=val_idx,
        test_idx=test_idx,
    )


# -------------------------------------------------------------------------------------------------
# Genomics simulators
# -------------------------------------------------------------------------------------------------


def simulate_epistasis(
    n_samples: int = 400,
    seed: int = 0,
    noise: float = 0.05,
    kind: str = "expression",
    n_noise_features: int = 0,
) -> tuple[pd.DataFrame, pd.Series]:
    """A phenotype driven by an XOR-like interaction (epistasis) between two genes or two SNPs.

    Neither feature alone says anything about the phenotype; only the combination does, so a
    single neuron (a linear model) is at chance level and a network with a hidden layer succeeds.

    ``kind="expression"`` (continuous, for decision-boundary pictures): two genes with
    standardised log-expression ``x1, x2 ~ N(0, 1)`` independently; a gene is over-expressed when
    ``x > 0``; the true phenotype is ``1[x1 > 0] XOR 1[x2 > 0]`` (case when exactly one is
    over-expressed). Columns ``GENE0001``, ``GENE0002``.

    ``kind="genotype"``: two SNPs with minor-allele frequency ``q = 1 - sqrt(1/2) ~ 0.293`` in
    Hardy-Weinberg equilibrium, coded as minor-allele counts ``g ~ Binomial(2, q)`` in {0, 1, 2};
    ``q`` makes half the samples carriers (``g >= 1``); the true phenotype is
    ``1[g1 >= 1] XOR 1[g2 >= 1]``. Columns ``rs0001``, ``rs0002``.

    In both, each observed phenotype is flipped with probability ``noise``, in either direction: a
    carrier of the risk combination may stay unaffected (incomplete penetrance), a non-carrier may
    be affected for another reason (a phenocopy), or either may be misdiagnosed. The best possible
    accuracy is therefore ``1 - noise``. ``n_noise_features`` extra
    columns (same distribution, no effect on the phenotype) are appended after the two causal ones.

    Args:
        n_samples: number of individuals (>= 4).
        seed: non-negative integer.
        noise: phenotype flip probability in [0, 0.5).
        kind: ``"expression"`` or ``"genotype"``.
        n_noise_features: number of irrelevant genes / SNPs (>= 0).

    Returns:
        ``X``: DataFrame ``(n_samples, 2 + n_noise_features)``, float64 expression or int64
        genotypes;
        ``y``: Series ``"phenotype"``, int64, 1 = case, 0 = control.
    """
    n_samples = require_int("n_samples", n_samples, 4)
    noise = require_real("noise", noise, 0, 0.5, "[0, 0.5)")
    n_noise_features = require_int("n_noise_features", n_noise_features, 0)
    rng = _rng(seed)
    n_features = 2 + n_noise_features
    if kind == "expression":
        values = rng.standard_normal((n_samples, n_features))
        active = values[:, :2] > 0
        columns = _names("GENE", n_features)
    elif kind == "genotype":
        maf = 1.0 - np.sqrt(0.5)
        values = rng.binomial(2, maf, size=(n_samples, n_features)).astype(np.int64)
        active = values[:, :2] >= 1
        columns = _names("rs", n_features)
    else:
        raise fail("kind", "'expression' or 'genotype'", repr(kind))
    phenotype = active[:, 0] ^ active[:, 1]
    flipped = rng.random(n_samples) < noise
    X = _frame(values, columns)
    return X, _series((phenotype ^ flipped).astype(np.int64), "phenotype", X)


def simulate_p_much_greater_than_n(
    n_samples: int = 100,
    n_genes: int = 2000,
    n_informative: int = 10,
    seed: int = 0,
    effect_size: float = 1.0,
) -> tuple[pd.DataFrame, pd.Series]:
    """A small cohort with many genes (p >> n): a few genes differ between cases and controls.

    Generative process: exactly half of the samples (rounded down) are cases, ``y_i in {0, 1}``,
    in random order. Every gene's standardised log-expression is noise, ``x_ij ~ N(0, 1)``; the
    first ``n_informative`` genes (``GENE0001`` ... ) are in addition shifted in cases,
    ``x_ij += s_j * effect_size * y_i`` with a random direction ``s_j = +-1`` (up- or
    down-regulated). With 2,000 genes and 100 samples a flexible model can fit noise perfectly,
    which is the point of the example; the informative genes are known, so feature rankings can be
    checked against the truth.

    Args:
        n_samples: number of samples (>= 4).
        n_genes: number of genes (>= n_informative).
        n_informative: number of differentially expressed genes (>= 0).
        seed: non-negative integer.
        effect_size: mean shift of informative genes in cases, in standard deviations (> 0).

    Returns:
        ``X``: DataFrame ``(n_samples, n_genes)`` float64; ``y``: Series ``"status"`` int64,
        1 = case, 0 = control.
    """
    n_samples = require_int("n_samples", n_samples, 4)
    n_informative = require_int("n_informative", n_informative, 0)
    n_genes = require_int("n_genes", n_genes, max(1, n_informative))
    effect_size = require_real("effect_size", effect_size, 0, np.inf, "(0, inf)")
    rng = _rng(seed)
    status = rng.permutation(np.arange(n_samples) % 2).astype(np.int64)
    values = rng.standard_normal((n_samples, n_genes))
    direction = rng.choice([-1.0, 1.0], size=n_informative)
    values[:, :n_informative] += np.outer(status, direction * effect_size)
    X = _frame(values, _names("GENE", n_genes))
    return X, _series(status, "status", X)


def simulate_expression_regression(
    n_samples: int = 300,
    n_genes: int = 20,
    seed: int = 0,
    noise: float = 0.3,
) -> tuple[pd.DataFrame, pd.Series]:
    """Predict one gene's expression from others: a target regulated nonlinearly by three genes.

    Generative process: standardised log-expression of ``n_genes`` genes, ``x_ij ~ N(0, 1)``. The
    first three are regulators of the target gene: ``GENE0001`` an activator, ``GENE0002`` a
    repressor (both saturating, like a Hill curve) and ``GENE0003`` a co-factor that modulates the
    activator; the rest are unrelated:

        y = 2 tanh(1.5 x1) - 1.5 tanh(1.5 x2) + 0.8 x1 x3 + eps,   eps ~ N(0, noise^2)

    A linear model captures the monotone part only; the saturation and the ``x1 x3`` interaction
    need a nonlinear model.

    Args:
        n_samples: number of samples (>= 2).
        n_genes: number of predictor genes (>= 3).
        seed: non-negative integer.
        noise: standard deviation of the measurement noise (>= 0).

    Returns:
        ``X``: DataFrame ``(n_samples, n_genes)`` float64; ``y``: Series ``"target_expression"``
        float64.
    """
    n_samples = require_int("n_samples", n_samples, 2)
    n_genes = require_int("n_genes", n_genes, 3)
    noise = require_real("noise", noise, 0, np.inf, "[0, inf)")
    rng = _rng(seed)
    values = rng.standard_normal((n_samples, n_genes))
    x1, x2, x3 = values[:, 0], values[:, 1], values[:, 2]
    target = 2.0 * np.tanh(1.5 * x1) - 1.5 * np.tanh(1.5 * x2) + 0.8 * x1 * x3
    target = target + noise * rng.standard_normal(n_samples)
    X = _frame(values, _names("GENE", n_genes))
    return X, _series(target, "target_expression", X)


def _counts_from_proportions(n: int, proportions: np.ndarray) -> np.ndarray:
    """Integer counts summing to ``n``, as close as possible to ``n * proportions``."""
    exact = n * proportions
    counts = np.floor(exact).astype(np.int64)
    remainder = n - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:remainder]] += 1
    return counts


def simulate_tumour_subtypes(
    n_samples: int = 600,
    n_genes: int = 50,
    n_subtypes: int = 4,
    seed: int = 0,
    imbalance: Sequence[float] | None = None,
    n_markers: int = 5,
    effect_size: float = 1.5,
) -> tuple[pd.DataFrame, pd.Series]:
    """Multi-class tumour subtypes, each with its own over-expressed marker genes.

    Generative process: subtype ``k`` (0 ... n_subtypes-1) occurs in proportion ``pi_k`` (equal
    when ``imbalance`` is None, else ``imbalance`` normalised to sum to 1); the number of tumours
    of each subtype is ``n_samples * pi_k`` rounded so that the total is ``n_samples``, in random
    order. Subtype ``k`` over-expresses its ``n_markers`` marker genes, columns
    ``k * n_markers ... (k + 1) * n_markers - 1`` (the first block belongs to subtype 0):

        x_ij = effect_size * 1[gene j is a marker of subtype y_i] + eps_ij,   eps_ij ~ N(0, 1)

    The remaining ``n_genes - n_subtypes * n_markers`` genes are noise.

    Args:
        n_samples: number of tumours (>= n_subtypes).
        n_genes: number of genes (>= n_subtypes * n_markers).
        n_subtypes: number of classes (>= 2).
        seed: non-negative integer.
        imbalance: ``None`` or ``n_subtypes`` positive weights, e.g. ``(0.55, 0.25, 0.15, 0.05)``;
            every subtype must get at least one tumour (ValueError otherwise).
        n_markers: marker genes per subtype (>= 1).
        effect_size: over-expression of markers, in standard deviations (> 0).

    Returns:
        ``X``: DataFrame ``(n_samples, n_genes)`` float64; ``y``: Series ``"subtype"`` int64 in
        ``0 ... n_subtypes - 1``.
    """
    n_subtypes = require_int("n_subtypes", n_subtypes, 2)
    n_samples = require_int("n_samples", n_samples, n_subtypes)
    n_markers = require_int("n_markers", n_markers, 1)
    n_genes = require_int("n_genes", n_genes, n_subtypes * n_markers)
    effect_size = require_real("effect_size", effect_size, 0, np.inf, "(0, inf)")
    if imbalance is None:
        proportions = np.full(n_subtypes, 1.0 / n_subtypes)
    else:
        weights = np.asarray(imbalance, dtype=float)
        if weights.shape != (n_subtypes,) or not np.all(np.isfinite(weights) & (weights > 0)):
            raise fail("imbalance", f"None or {n_subtypes} positive weights", repr(imbalance))
        proportions = weights / weights.sum()
    counts = _counts_from_proportions(n_samples, proportions)
    if counts.min() == 0:
        raise fail(
            "simulate_tumour_subtypes: imbalance",
            f"proportions giving every subtype at least one of the {n_samples} tumours",
            f"0 tumours of subtype {int(np.argmin(counts))} (counts {counts.tolist()})",
        )
    rng = _rng(seed)
    subtype = rng.permutation(np.repeat(np.arange(n_subtypes, dtype=np.int64), counts))
    values = rng.standard_normal((n_samples, n_genes))
    marker_of = np.full(n_genes, -1)
    marker_of[: n_subtypes * n_markers] = np.repeat(np.arange(n_subtypes), n_markers)
    values += effect_size * (marker_of[None, :] == subtype[:, None])
    X = _frame(values, _names("GENE", n_genes))
    return X, _series(subtype, "subtype", X)


# -------------------------------------------------------------------------------------------------
# DNA sequences
# -------------------------------------------------------------------------------------------------

DNA_ALPHABET = "ACGT"
_COMPLEMENT = str.maketrans("ACGTacgt", "TGCAtgca")
_BASE_INDEX = np.full(256, -1, dtype=np.int64)
for _i, _base in enumerate(DNA_ALPHABET):
    _BASE_INDEX[ord(_base)] = _BASE_INDEX[ord(_base.lower())] = _i


def _check_dna(seq: object, what: str = "sequence") -> str:
    if not isinstance(seq, str):
        raise fail(what, "a DNA string over A, C, G, T", repr(seq))
    bad = sorted(set(seq.upper()) - set(DNA_ALPHABET))
    if bad:
        raise fail(
            what,
            "only the characters A, C, G, T",
            f"invalid character(s) {bad} in {seq!r}",
        )
    return seq


def _as_sequence_list(seqs: object) -> list[str]:
    if isinstance(seqs, (str, bytes)) or not isinstance(seqs, Iterable):
        raise fail("seqs", "a string or an iterable of strings", repr(seqs))
    seqs = list(seqs)
    for i, seq in enumerate(seqs):
        _check_dna(seq, f"sequence {i}")
    return seqs


def reverse_complement(seq_or_seqs: str | Iterable[str]) -> str | list[str] | pd.Series:
    """Reverse complement of DNA: complement every base (A<->T, C<->G) and reverse the order.

    ``reverse_complement("AACG") == "CGTT"``: the same double-stranded molecule read on the other
    strand, which is why it is a label-preserving augmentation for most DNA tasks. Lower case is
    kept as lower case.

    Args:
        seq_or_seqs: one string, an iterable of strings, or a ``pandas.Series`` of strings.

    Returns:
        a string for a string, a Series (same index and name) for a Series, else a list.

    Raises:
        ValueError: a character other than A, C, G, T (either case), named in the message.
    """
    if isinstance(seq_or_seqs, str):
        return _check_dna(seq_or_seqs).translate(_COMPLEMENT)[::-1]
    reversed_seqs = [seq.translate(_COMPLEMENT)[::-1] for seq in _as_sequence_list(seq_or_seqs)]
    if isinstance(seq_or_seqs, pd.Series):
        return pd.Series(reversed_seqs, index=seq_or_seqs.index, name=seq_or_seqs.name)
    return reversed_seqs


def one_hot_dna(seqs: str | Iterable[str], dtype: type = np.float32) -> np.ndarray:
    """One-hot encode DNA with channels in the order A, C, G, T.

    Base ``b`` at position ``t`` becomes the unit vector ``e_{index(b)}``: A = (1,0,0,0),
    C = (0,1,0,0), G = (0,0,1,0), T = (0,0,0,1). Lower case is accepted (soft-masked genomes).

    Args:
        seqs: one string, or an iterable (list, Series) of strings of equal length.
        dtype: output dtype; float32 by default, ready for ``torch.from_numpy``.

    Returns:
        ``(length, 4)`` for one string; ``(n_sequences, length, 4)`` for an iterable.

    Raises:
        ValueError: characters other than A, C, G, T (named), or sequences of different lengths.
    """
    if isinstance(seqs, str):
        return one_hot_dna([seqs], dtype=dtype)[0]
    seqs = _as_sequence_list(seqs)
    lengths = sorted({len(seq) for seq in seqs})
    if len(lengths) > 1:
        raise fail("seqs", "sequences of equal length", f"lengths {lengths}")
    length = lengths[0] if lengths else 0
    codes = np.frombuffer("".join(seqs).encode("ascii"), dtype=np.uint8)
    index = _BASE_INDEX[codes].reshape(len(seqs), length)
    return np.eye(4, dtype=dtype)[index]


# Negatives are redrawn until motif-free: give up (ValueError) rather than loop for ever.
_MAX_REDRAW_ROUNDS = 1000
# Expected motif occurrences per random sequence above which a motif-free one is too rare
# (Poisson: P(none) ~ exp(-7) < 0.1%) to redraw negatives in reasonable time.
_MAX_EXPECTED_OCCURRENCES = 7.0


def _require_avoidable(motif: str, n_sites: int, length: int) -> None:
    """Refuse a motif that almost every uniform random sequence of ``length`` contains."""
    expected = n_sites * (length - len(motif) + 1) * 4.0 ** -len(motif)
    if expected > _MAX_EXPECTED_OCCURRENCES:
        raise fail(
            "simulate_dna_motif: motif",
            "a motif that random negatives can avoid (at most "
            f"{_MAX_EXPECTED_OCCURRENCES:g} expected occurrences per sequence)",
            f"{motif!r} with {expected:.1f} expected occurrences in a random sequence of length "
            f"{length}, so motif-free negatives are nearly impossible: use a longer motif or "
            "shorter sequences",
        )


def simulate_dna_motif(
    n_sequences: int = 1000,
    length: int = 100,
    motif: str = "TATAAT",
    seed: int = 0,
    positive_fraction: float = 0.5,
    both_strands: bool = False,
) -> tuple[pd.DataFrame, pd.Series]:
    """Random DNA sequences, some of which carry a motif (default the Pribnow box ``TATAAT``).

    Generative process: every base is drawn independently and uniformly from A, C, G, T. A
    fraction ``positive_fraction`` of the sequences (rounded down, in random order) are positives:
    the motif is written over the background at a start position drawn uniformly from
    ``0 ... length - len(motif)``; with ``both_strands=True`` half of the positives (at random)
    carry the motif's reverse complement instead, as a motif on the other strand would appear.
    Negatives are redrawn until they contain neither the motif nor its reverse complement, so the
    label is exactly "the motif is present".

    Args:
        n_sequences: number of sequences (>= 2).
        length: sequence length (>= len(motif)).
        motif: the motif, over A, C, G, T.
        seed: non-negative integer.
        positive_fraction: fraction of sequences with the motif, in (0, 1), giving at least one
            positive.
        both_strands: also implant the reverse complement.

    Returns:
        ``X``: DataFrame with one column ``"sequence"`` (str, upper case); ``y``: Series
        ``"has_motif"`` int64, 1 = motif present. Encode ``X["sequence"]`` with :func:`one_hot_dna`.

    Raises:
        ValueError: no positive at this fraction, or a motif so short for ``length`` that random
            sequences almost always contain it (motif-free negatives nearly impossible).
    """
    n_sequences = require_int("n_sequences", n_sequences, 2)
    motif = _check_dna(motif, "motif").upper()
    if not motif:
        raise fail("motif", "a non-empty DNA string", repr(motif))
    length = require_int("length", length, len(motif))
    positive_fraction = require_real("positive_fraction", positive_fraction, 0, 1, "(0, 1)")
    n_positive = int(n_sequences * positive_fraction)
    if n_positive == 0:
        raise fail(
            "simulate_dna_motif: positive_fraction",
            f"a fraction giving at least 1 positive of {n_sequences} sequences",
            f"{positive_fraction} (0 positives)",
        )
    forbidden = {motif, reverse_complement(motif)}
    _require_avoidable(motif, len(forbidden), length)
    rng = _rng(seed)
    alphabet = np.array(list(DNA_ALPHABET))
    labels = rng.permutation(np.arange(n_sequences) < n_positive).astype(np.int64)

    def draw(count: int) -> list[str]:
        return ["".join(row) for row in alphabet[rng.integers(0, 4, size=(count, length))]]

    sequences = draw(n_sequences)
    for _ in range(_MAX_REDRAW_ROUNDS):
        redraw = [
            i
            for i, seq in enumerate(sequences)
            if labels[i] == 0 and any(m in seq for m in forbidden)
        ]
        if not redraw:
            break
        for i, seq in zip(redraw, draw(len(redraw)), strict=True):
            sequences[i] = seq
    else:
        raise fail(
            "simulate_dna_motif",
            f"negatives without {motif!r} after {_MAX_REDRAW_ROUNDS} redraws",
            f"{len(redraw)} still containing it: use a longer motif or shorter sequences",
        )

    positives = np.flatnonzero(labels == 1)
    starts = rng.integers(0, length - len(motif) + 1, size=len(positives))
    on_minus = rng.random(len(positives)) < 0.5 if both_strands else np.zeros(len(positives), bool)
    for i, start, minus in zip(positives, starts, on_minus, strict=True):
        site = reverse_complement(motif) if minus else motif
        sequences[i] = sequences[i][:start] + site + sequences[i][start + len(motif) :]

    X = _frame(np.array(sequences, dtype=object)[:, None], ["sequence"])
    return X, _series(labels, "has_motif", X)
