"""The Latent tab's state without a window (app/latent_state.py): the latent, its offsets and
psi in slider units, the class of a conditional generator, named directions, recipes, and the
events its views follow. No Qt."""

import pytest
import torch

from ganstudio import explore
from ganstudio.app.latent_state import MAX_NAMED, MAX_TICKS, LatentState, is_conditional
from ganstudio.generator import GeneratorSnapshot
from ganstudio.models.dcgan import DCGANGenerator

Z = 6


def snapshot(n_classes=0, z_dim=Z, names=None):
    torch.manual_seed(0)
    G = DCGANGenerator(z_dim, 1, 16, width=8, n_classes=n_classes).eval().requires_grad_(False)
    config = {"z_dim": z_dim, "dataset": "digits", "n_classes": n_classes}
    if names:
        config["class_names"] = names
    return GeneratorSnapshot(G, {"config": config, "sample_shape": [1, 16, 16], "kind": "image", "step": 3}, True)


class Recorder:
    def __init__(self, state):
        self.seen = []
        for name in ("generator", "latent", "directions", "named"):
            getattr(state.events, name).connect(lambda *a, name=name: self.seen.append(name))


def test_the_latent_is_the_seeds_moved_along_the_directions_then_truncated():
    st = LatentState()
    rec = Recorder(st)
    assert st.set_generator(snapshot()) and rec.seen[-1] == "generator"  # a new model
    assert not st.set_generator(snapshot())  # the same kind and size: seed and offsets stay
    st.set_seed(4)
    st.set_offsets([0.5, -1.25])
    st.set_psi_ticks(70)
    assert st.offsets() == [0.5, -1.25, 0.0, 0.0, 0.0, 0.0] and st.psi == 0.7
    expect = explore.latent(Z, 4, [0.5, -1.25], explore.raw_directions(Z, 8).vectors, 0.7)
    assert torch.allclose(st.current_latent(), expect)
    st.set_ticks(0, 10 * MAX_TICKS)  # clamped to the slider's range, as a slider would
    assert st.offsets()[0] == MAX_TICKS / 100
    rec.seen.clear()
    st.reset()
    assert st.offsets() == [0.0] * Z and st.psi == 1.0 and rec.seen == ["latent"]
    r = st.recipe()
    assert r["seed"] == 4 and r["psi"] == 1.0 and r["directions"]["source"] == "raw" and "z" not in r


def test_a_found_latent_replaces_the_seed_until_a_new_seed():
    st = LatentState()
    st.set_generator(snapshot())
    z = torch.arange(Z, dtype=torch.float32)
    st.set_offsets([1.0])
    st.set_latent(z, "projection of training image 3")
    assert st.offsets()[0] == 0.0 and torch.equal(st.current_latent(), z)
    assert st.latent_source() == "projection of training image 3"
    assert st.latent_fields()["z"] == z.tolist()
    st.set_seed(8)
    assert st.latent_source() is None and "z" not in st.latent_fields()


def test_named_directions_move_the_latent_and_the_oldest_leaves():
    st = LatentState()
    st.set_generator(snapshot())
    before = st.current_latent()
    st.add_named("up", torch.tensor([0.0, 2.0, 0, 0, 0, 0]))
    st.set_named_ticks(0, 150)
    assert torch.allclose(st.current_latent(), before + 1.5 * torch.eye(Z)[1])
    assert st.latent_fields()["named_directions"][0]["amount"] == 1.5
    for i in range(MAX_NAMED):
        st.add_named(f"d{i}", torch.ones(Z))
    assert len(st.named) == MAX_NAMED and st.named[0]["name"] == "d0"  # "up" left
    assert torch.allclose(st.current_latent(), before)
    st.set_generator(snapshot(z_dim=Z + 1))  # another model: its own named directions
    assert st.named == []


def test_a_class_is_chosen_through_offset_0_or_set_on_the_latent():
    st = LatentState()
    snap = snapshot(n_classes=3, names=["a", "b", "c"])
    st.set_generator(snap)
    assert is_conditional(snap) and st.class_names == ["a", "b", "c"]
    assert st.direction_labels()[0][0] == "z[0] class"
    for k in range(3):
        st.choose_class(k)
        assert st.current_class() == k and st.class_override() is None  # offset 0 reached it
    st.set_psi_ticks(0)
    st.choose_class(1)
    assert st.class_override() == 1 and st.current_class() == 1  # psi 0: set on the latent itself
    assert st.recipe()["class"] == 1
    st.set_ticks(0, 20)  # offset 0 moved by hand (raw coordinates): z[0] is the user's again
    assert st.class_override() is None and st.chosen_class is None
    with pytest.raises(ValueError):
        st.choose_class(3)
