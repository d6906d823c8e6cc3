"""The Latent tab's state in one Qt-free model; the Latent and Interpolation tabs are views of it
(docs/ARCHITECTURE.md, "The app's state").

:class:`LatentState` holds the generator explored (a frozen
:class:`~ganstudio.generator.GeneratorSnapshot`, never the training weights), the latent (a
seed's, or one found by projection), the offsets along the directions the sliders move along
(raw z coordinates, principal or loaded directions), psi, the class and the named directions
(directions by example), and announces each change (``state.events.latent.connect(cb)``, as
:class:`~ganstudio.app.session.Session` does). Offsets, psi and named amounts are kept in
slider units (``TICKS`` per standard deviation, psi in hundredths), so what a view shows is
exactly what a recipe records.

A conditional generator draws its class from z[0] (models/dcgan.py). With raw coordinates
offset 0 moves z[0] itself, so choosing a class moves it to the class's centre (an offset from
the seed's own z[0], truncation scaling the sum). Along principal or loaded directions no
offset is z[0], and where offset 0 cannot reach the class (beyond its range, or psi 0) the
class is set on the latent itself: z[0] is replaced by the class's centre after truncation
(``class`` in exported recipes).

No Qt here; torch for the latents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from ganstudio import explore
from ganstudio.app.session import EventEmitter
from ganstudio.explore import is_conditional
from ganstudio.generator import GeneratorSnapshot
from ganstudio.latent import Directions, truncate, with_class

N_SLIDERS = 8  # directions offered at once
TICKS = 100  # slider units per standard deviation
MAX_TICKS = int(explore.SLIDER_RANGE * TICKS)
PSI_TICKS = 100  # psi in hundredths
MAX_PSI_TICKS = 150
MAX_NAMED = 6  # named directions at once (the oldest leaves for a new one)
PCA_SAMPLES = 2000


def run_key(snap: GeneratorSnapshot | None) -> tuple | None:
    """What identifies the run a snapshot belongs to: its folder (when it has one), dataset, kind,
    latent size and sample shape. A snapshot of the same run taken later (training moved on, or
    its checkpoint once it stopped) has the same key; another run's has another."""
    if snap is None:
        return None
    run = str(Path(snap.run).resolve()) if snap.run is not None else None
    return run, snap.dataset, snap.kind, snap.z_dim, tuple(snap.meta.get("sample_shape") or ())


def _clamp(v: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, int(v)))


class LatentEvents:
    def __init__(self) -> None:
        self.generator = EventEmitter()  # (snap, new_model): another G to explore
        self.latent = EventEmitter()  # (): seed, offsets, psi, class, named amounts or the found z moved
        self.directions = EventEmitter()  # (): the directions the offsets move along
        self.named = EventEmitter()  # (): named directions added or removed
        self.run = EventEmitter()  # (snap,): another run's G (emitted before ``generator``); results of the last one go


class LatentState:
    def __init__(self) -> None:
        self.events = LatentEvents()
        self.snap: GeneratorSnapshot | None = None
        self.ema_available = False  # whether the run keeps an EMA of G
        self.seed = 0
        self._ticks = [0] * N_SLIDERS  # offsets along the directions, in TICKS
        self._psi = PSI_TICKS
        self.directions: Directions = explore.raw_directions(N_SLIDERS, N_SLIDERS)
        self.directions_source = "raw"  # raw | principal | file
        self.directions_file: str | None = None
        self._class_override: int | None = None  # a class set on the latent itself (see the module doc)
        self.chosen_class: int | None = None  # the class last chosen, while it holds
        self._class_list: list[str] = []
        self.base_z: torch.Tensor | None = None  # a latent found by projection, replacing the seed's
        self.base_what: str | None = None  # what it is the projection of
        self.named: list[dict[str, Any]] = []  # directions by example: name, vector (Z,), path, ticks
        self.base_step: int | None = None  # the step of the generator the found latent was found in
        self.generation = 0  # counts the runs explored: background results of an older one are dropped
        self.note: str | None = None  # what the last change of run cleared, for the tab to say

    # ------------------------------------------------------------------ the generator
    def set_generator(self, snap: GeneratorSnapshot, ema_available: bool | None = None) -> bool:
        """Explore ``snap``'s G; keeps seed, offsets and psi (and directions, class and named
        directions while it is the same run, e.g. a fresh copy of G while training). Another run
        (another folder, dataset, kind or latent size) takes its own: the last run's directions,
        named directions and found latent go, with a note (``note``). Returns whether it is another
        model (another latent size or kind)."""
        old = self.snap
        new_model = old is None or old.z_dim != snap.z_dim or old.kind != snap.kind
        new_run = old is None or run_key(old) != run_key(snap)
        self.snap = snap
        if ema_available is not None:
            self.ema_available = ema_available
        names = snap.class_names if is_conditional(snap) else []
        if new_model or new_run or names != self._class_list:
            self._class_override = self.chosen_class = None  # another model: its own classes
        self._class_list = names
        if new_run:
            self.generation += 1
            self.note = self._cleared_note(old, snap) if old is not None else None
            self.base_z = self.base_what = self.base_step = None  # a latent of another model
            self.named.clear()
            self.events.named.emit()
            self.events.run.emit(snap)
            self.set_directions(None, "raw")
        self.events.generator.emit(snap, new_model)
        return new_model

    def _cleared_note(self, old: GeneratorSnapshot, snap: GeneratorSnapshot) -> str | None:
        """What opening ``snap``'s run cleared of ``old``'s, in a sentence (None: nothing)."""
        gone = []
        if self.base_z is not None:
            gone.append(f"the {self.base_what or 'found latent'} (back to seed {self.seed})")
        if self.directions_source != "raw":
            gone.append("the principal directions" if self.directions_source == "principal" else "the directions file")
        if self.named:
            gone.append("the named directions " + ", ".join(f"'{e['name']}'" for e in self.named))
        if not gone:
            return None
        what = Path(old.run).name if old.run is not None else (old.dataset or "the previous run")
        return f"Another run: cleared {what}'s " + "; ".join(gone) + " (they belong to its generator)."

    def is_current(self, generation: int) -> bool:
        """Whether a result asked for in ``generation`` still belongs to the run explored."""
        return generation == self.generation

    @property
    def z_dim(self) -> int | None:
        return None if self.snap is None else self.snap.z_dim

    @property
    def conditional(self) -> bool:
        """Whether the generator explored draws its class from z[0] (see models/dcgan.py)."""
        return self.snap is not None and bool(getattr(self.snap.G, "n_classes", 0))

    @property
    def class_names(self) -> list[str]:
        """The classes offered to pick (a conditional image generator's), else []."""
        return self._class_list

    # ------------------------------------------------------------------ the latent
    @property
    def psi(self) -> float:
        return self._psi / PSI_TICKS

    def psi_ticks(self) -> int:
        return self._psi

    def ticks(self, i: int) -> int:
        return self._ticks[i]

    def in_use(self) -> int:
        """How many directions the offsets move along."""
        return min(self.directions.k, N_SLIDERS)

    def offsets(self) -> list[float]:
        """Offset along each direction in use, in standard deviations."""
        return [t / TICKS for t in self._ticks[: self.in_use()]]

    def vectors(self) -> torch.Tensor:
        return self.directions.vectors[:N_SLIDERS]

    def set_seed(self, seed: int) -> None:
        self.seed = int(seed)
        self.base_z = self.base_what = self.base_step = None  # a new seed: back to seeds
        self.events.latent.emit()

    def set_ticks(self, i: int, ticks: int) -> None:
        """Move along direction i (in TICKS); offset 0 with raw coordinates takes z[0] back."""
        self._ticks[i] = _clamp(ticks, -MAX_TICKS, MAX_TICKS)
        if i == 0:
            self._z0_taken_over()
        self.events.latent.emit()

    def set_offsets(self, values) -> None:
        """Offsets in standard deviations, from the first direction on."""
        values = list(values)
        if values:
            self._z0_taken_over()
        for i, v in enumerate(values[:N_SLIDERS]):
            self._ticks[i] = _clamp(round(float(v) * TICKS), -MAX_TICKS, MAX_TICKS)
        self.events.latent.emit()

    def set_psi_ticks(self, ticks: int) -> None:
        self._psi = _clamp(ticks, 0, MAX_PSI_TICKS)
        self.events.latent.emit()

    def reset(self) -> None:
        """Offsets and named amounts to 0, psi to 1; the seed's (or found) latent, its own class."""
        self._class_override = self.chosen_class = None
        self._zero()
        self.events.latent.emit()

    def set_latent(self, z: torch.Tensor, what: str, step: int | None = None) -> None:
        """Make ``z`` (Z,) the latent (a projection's result, found in G at ``step``): offsets and
        named amounts 0, psi 1, no class set on it. A new seed goes back to seeds."""
        self.base_z = torch.as_tensor(z, dtype=torch.float32).reshape(-1).clone()
        self.base_what = what
        self.base_step = step
        self._class_override = self.chosen_class = None
        self._zero()
        self.events.latent.emit()

    def _zero(self) -> None:
        self._ticks = [0] * N_SLIDERS
        self._psi = PSI_TICKS
        for e in self.named:
            e["ticks"] = 0

    def latent_source(self) -> str | None:
        """What the latent is (e.g. "projection of training image 12"); None: the seed's."""
        return self.base_what if self.base_z is not None else None

    def base_latent(self) -> torch.Tensor:
        """The latent before truncation (Z,) (its z[0] set for the class set on it, if any):
        the seed's (or a projection's) moved along the directions and the named directions."""
        z = explore.compose(
            self.snap.z_dim, self.seed, self.offsets(), self.vectors(), z=self.base_z, named=self.named_entries()
        )
        return self._with_override(z)

    def current_latent(self) -> torch.Tensor:
        """The latent on screen, truncation applied (Z,). A class set on the latent replaces
        z[0] after truncation, so psi does not move it to another class."""
        return self._with_override(truncate(self.base_latent(), self.psi))

    def _with_override(self, z: torch.Tensor) -> torch.Tensor:
        if self._class_override is None or not self.conditional:
            return z
        return with_class(z[None], self.snap.G, self._class_override)[0]

    # ------------------------------------------------------------------ classes
    def class_override(self) -> int | None:
        """The class set on the latent itself (not through offset 0), or None."""
        return self._class_override if self.conditional else None

    def current_class(self) -> int | None:
        """The class the preview draws (conditional image generators), else None."""
        if not self.conditional or self.snap.is_2d:
            return None
        return int(self.snap.G.labels(self.current_latent()[None])[0])

    def shown_class(self) -> int | None:
        """The class drawn, for the class box; a chosen class that psi or the seed moved away
        from is no longer the chosen one."""
        k = self.current_class() if self.snap is not None else None
        if self.chosen_class is not None and k != self.chosen_class and self._class_override is None:
            self.chosen_class = None
        return k

    def choose_class(self, k: int) -> None:
        """Draw class k: with raw coordinates by moving offset 0 (z[0]) to the class's centre,
        else (or where offset 0 cannot reach it) by setting z[0] on the latent itself."""
        if not self.conditional or self.snap.is_2d:
            return
        G = self.snap.G
        k = int(k)
        if not 0 <= k < int(G.n_classes):
            raise ValueError(f"class {k} out of range 0..{int(G.n_classes) - 1}")
        self.chosen_class = self._class_override = k
        if self.directions_source == "raw" and self.psi > 0:
            # z[0] on screen = psi * (seed's z[0] + offset 0): solve for the offset
            centre = float(G.class_centres()[k])
            z0 = float(explore.compose(self.snap.z_dim, self.seed, [], None)[0])
            ticks = round((centre / self.psi - z0) * TICKS)
            if -MAX_TICKS <= ticks <= MAX_TICKS:
                self._ticks[0] = ticks
                self._class_override = None
                if self.current_class() != k:  # (rounding at a bin's edge: cannot happen at the centre)
                    self._class_override = k
        self.events.latent.emit()

    def _z0_taken_over(self) -> None:
        """Offset 0 moved with raw coordinates: z[0] is the user's again."""
        if self.directions_source == "raw":
            self._class_override = self.chosen_class = None

    # ------------------------------------------------------------------ directions
    def set_directions(self, d: Directions | None, source: str, file: str | None = None) -> None:
        """The directions the offsets move along (None: raw z coordinates); offsets back to 0,
        and a chosen class holds along the new ones."""
        if d is None:
            d = explore.raw_directions(self.snap.z_dim if self.snap is not None else N_SLIDERS, N_SLIDERS)
            source, file = "raw", None
        self.directions, self.directions_source, self.directions_file = d, source, file
        self._ticks = [0] * N_SLIDERS
        self.events.directions.emit()
        k = self.chosen_class
        if k is not None and self.conditional and k < int(self.snap.G.n_classes):
            self.choose_class(k)
        else:
            self.events.latent.emit()

    def direction_labels(self) -> list[tuple[str, str]]:
        """(name, tooltip) of each direction in use."""
        out = []
        d = self.directions
        for i in range(self.in_use()):
            if self.directions_source != "raw":
                r = float(d.variance_ratio[i]) * 100
                out.append(
                    (f"PC{i + 1}  {r:.1f}%", f"principal direction {i + 1}: explains {r:.1f}% of the output variance")
                )
            elif i == 0 and self.conditional:
                out.append(
                    ("z[0] class", "a conditional generator: z[0] picks the class (sweep it to walk through them)")
                )
            else:
                out.append((f"z[{i}]", f"latent coordinate {i}"))
        return out

    def directions_entry(self) -> dict[str, Any]:
        d = self.directions
        d = Directions(d.vectors[:N_SLIDERS], d.variance_ratio[:N_SLIDERS], d.space, d.n, d.seed, d.meta)
        return explore.directions_entry(d, self.directions_source, self.directions_file)

    # ------------------------------------------------------------------ named directions
    def add_named(self, name: str, vector: torch.Tensor, path: Path | None = None) -> int:
        """A named direction ``vector`` (Z,) (replacing one of that name); its index."""
        vector = torch.as_tensor(vector, dtype=torch.float32).reshape(-1)
        vector = vector / vector.norm().clamp_min(1e-12)
        for i, e in enumerate(self.named):
            if e["name"] == name:
                e.update(vector=vector, path=path)
                self.events.named.emit()
                self.events.latent.emit()
                return i
        moved = len(self.named) >= MAX_NAMED and self.named.pop(0)["ticks"] != 0  # the oldest leaves
        self.named.append({"name": name, "vector": vector, "path": path, "ticks": 0})
        self.events.named.emit()
        if moved:
            self.events.latent.emit()
        return len(self.named) - 1

    def remove_named(self, i: int) -> None:
        if 0 <= i < len(self.named):
            moved = self.named.pop(i)["ticks"] != 0
            self.events.named.emit()
            if moved:
                self.events.latent.emit()

    def set_named_ticks(self, i: int, ticks: int) -> None:
        self.named[i]["ticks"] = _clamp(ticks, -MAX_TICKS, MAX_TICKS)
        self.events.latent.emit()

    def named_entries(self) -> list[dict[str, Any]]:
        """What a recipe records of the named directions (explore.compose's ``named``)."""
        return [
            {
                "name": e["name"],
                "vector": [float(v) for v in e["vector"]],
                "amount": e["ticks"] / TICKS,
                **({"file": str(e["path"])} if e.get("path") else {}),
            }
            for e in self.named
        ]

    # ------------------------------------------------------------------ recipes
    def latent_fields(self) -> dict[str, Any]:
        """What recipes need beyond seed and offsets: a projected ``z`` and the named directions."""
        out: dict[str, Any] = {}
        if self.base_z is not None:
            out["z"] = [float(v) for v in self.base_z]
            out["z_from"] = self.base_what
        named = [e for e in self.named_entries() if e["amount"]]
        if named:
            out["named_directions"] = named
        return out

    def recipe(self) -> dict[str, Any]:
        """The preview's recipe (the fields `explore.render_recipe` needs)."""
        r = explore.base_recipe(self.snap, "latent", self.psi)
        r.update(seed=self.seed, offsets=self.offsets(), directions=self.directions_entry(), **self.latent_fields())
        if self.class_override() is not None:  # z[0] set for this class after truncation
            r["class"] = self.class_override()
        if self.snap.is_2d:
            r["mesh"] = {"axes": [0, 1], "steps": explore.MESH_STEPS, "extent": explore.MESH_EXTENT}
            r["size"] = explore.PREVIEW_2D_SIZE
        return r
