"""metrics/utility.py on tiny real data: CAS with known answers, the augmentation curve's
rows, and leakage that flags a copier and clears a fresh generator."""

import numpy as np
import pytest
import torch

from ganstudio.data import load_dataset
from ganstudio.data.split import held_out, training_part
from ganstudio.metrics import utility as U


@pytest.fixture(scope="module")
def digits():
    train = training_part(load_dataset("digits"), 0.2)
    test, _ = held_out("digits", 16, None, 0.2)
    return train, test


def test_cas_of_the_real_set_is_the_real_reference_and_wrong_labels_are_chance(digits):
    train, test = digits
    n = 400
    pick = U.stratified(train.labels, n, 0)
    x, y = train.data[pick], train.labels[pick]
    same = U.cas(x, y, x, y, test.data, test.labels, 10, seed=3, updates=40)
    # The same images, CNN, seed and updates: CAS is exactly the real reference.
    assert same["cas"] == same["real"]["accuracy"] and same["gap"] == 0
    assert same["cas"] > 0.6 and len(same["synthetic"]["per_class"]) == 10
    wrong = (y + 1 + np.random.default_rng(0).integers(0, 9, len(y))) % 10  # never the true class
    bad = U.cas(x, wrong, x, y, test.data, test.labels, 10, seed=3, updates=40)
    assert bad["cas"] < 0.15 < same["cas"]


def test_augmentation_rows_and_the_best_ratio(digits):
    train, test = digits
    synth_x, synth_y = train.data, train.labels  # "synthetic" images as good as real ones
    rows = U.augmentation(
        train.data, train.labels, synth_x, synth_y, test.data, test.labels, 10, subsets=(0.05,), ratios=(0, 2, 100)
    )
    assert [r["ratio"] for r in rows] == [0, 2]  # 100x does not fit in the synthetic set: skipped
    assert rows[0]["n_synthetic"] == 0 and rows[1]["n_synthetic"] == pytest.approx(2 * rows[0]["n_real"], abs=10)
    best = U.best_ratios(rows)[str(rows[0]["n_real"])]
    assert best["alone"] == rows[0]["accuracy"] and best["gain"] == max(r["accuracy"] for r in rows) - best["alone"]
    assert rows[1]["accuracy"] > rows[0]["accuracy"]  # more (real-quality) images help a ~70-image subset


def test_leakage_flags_a_copier_and_clears_a_fresh_generator(digits):
    from ganstudio.config import TrainConfig
    from ganstudio.models import build_models

    train, test = digits
    copies = train.data[np.random.default_rng(1).permutation(len(train.data))[:200]]
    copier = U.leakage(copies, train.data, test.data, n=200)
    assert copier["near_copies"] == 200 and copier["pixels"]["train"] == 0
    assert copier["pixels"]["ratio"] == 0 and "memorises" in copier["verdict"]
    cfg = TrainConfig(dataset="digits", model="dcgan", z_dim=16, width=8, n_classes=0, conditional=False)
    G, _ = build_models(cfg, (1, 16, 16))
    with torch.no_grad():
        fresh = G.eval()(torch.randn(200, 16, generator=torch.Generator().manual_seed(0))).numpy()
    clean = U.leakage(fresh, train.data, test.data, n=200)
    assert clean["near_copies"] == 0 and clean["verdict"].startswith("no near-copies of training images among 200")
    assert 0.7 < clean["pixels"]["ratio"] < 1.3  # about as far from training as from unseen images
    # Real held-out images themselves: new images of the data's distribution
    real_new = U.leakage(test.data, train.data, test.data[::-1], n=100)
    assert real_new["near_copies"] <= 2


def test_leakage_in_feature_space_and_the_memorized_figure(digits):
    from ganstudio.metrics.features import get_features

    train, test = digits
    net = get_features(train.data, train.labels, seed=0, log=lambda m: None, budget_s=20)
    out = U.leakage(train.data[:50], train.data, test.data, features=net, memorized_threshold=1e-6, n=50)
    assert out["features"]["train"] == pytest.approx(0, abs=1e-4) and out["memorized"] == 100.0
    assert out["features"]["ratio"] < 0.1


def test_summary_lines_say_what_was_measured():
    u = {
        "class_names": ["a", "b"],
        "cas": {
            "cas": 0.8,
            "n_synthetic": 100,
            "n_real": 100,
            "n_test": 50,
            "real": {"accuracy": 0.9},
            "synthetic": {"per_class": [0.9, 0.7]},
        },
        "augmentation_best": {"60": {"alone": 0.5, "best_ratio": 2.0, "best": 0.6, "gain": 0.1}},
        "leakage": {"verdict": "no near-copies of training images among 1,000 samples"},
    }
    text = "\n".join(U.summary_lines(u))
    assert "CAS 0.800" in text and "0.900" in text and "worst class b 0.70" in text
    assert "best with 2x synthetic 0.600 (+10.0 points)" in text and "no near-copies" in text
