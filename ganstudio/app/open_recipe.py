"""File > Open latent or recipe...: an export's recipe (``OUT.json``, from the app or
``ganstudio interpolate``) or a projection's ``z.json`` (``ganstudio project``) back in the
explorer, to look at and change. A latent recipe or a z.json becomes the Latent tab's latent,
with its truncation and class; an interpolation's keyframes (directions and classes baked in),
frames, mode and loop fill the Interpolation tab; a grid walk opens its centre latent.

The file is read strictly (``recipes.read_recipe``) and must fit the generator shown
(``explore.check_generator``); anything else is one message naming the file, and nothing the
tabs hold changes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog

from ganstudio import explore
from ganstudio.app.latent_state import MAX_PSI_TICKS, PSI_TICKS
from ganstudio.errors import GanstudioError
from ganstudio.recipes import read_recipe

LATENT_TAB, INTERPOLATION_TAB = 1, 2


def open_recipe(window, path: str | Path | None = None) -> bool:
    """Open ``path`` (else ask for it) in ``window``'s explorer; True when it was opened."""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(
            window,
            QCoreApplication.translate("OpenRecipe", "Open latent or recipe"),
            "",
            QCoreApplication.translate("OpenRecipe", "Recipes and latents (*.json);;All files (*)"),
        )
        if not path:
            return False
    path = Path(path)
    explorer = window.explorer
    state = explorer.latent_panel.state
    try:
        recipe = read_recipe(path)
        if state.snap is None:
            run = recipe.get("run") or "?"
            window._warn(
                lambda: QCoreApplication.translate(
                    "OpenRecipe", "{name} draws with a generator: open the run it was made with first ({run})."
                ).format(name=path.name, run=run)
            )
            return False
        explore.check_generator(recipe, state.snap, path.name, animate=False)
    except GanstudioError as e:
        window._warn(str(e))
        return False
    if recipe["command"] == "interpolate":
        notes = _keyframes(explorer.interpolation_view, recipe, state.snap, path.name)
        explorer.setCurrentIndex(INTERPOLATION_TAB)
    else:
        notes = _latent(state, recipe, path.name)
        explorer.setCurrentIndex(LATENT_TAB)
    text = QCoreApplication.translate("OpenRecipe", "Opened {name}.").format(name=path.name)
    sep = "" if text.endswith("\u3002") else " "  # Chinese sentences end in 。 and take no space after
    window._say(lambda: sep.join([text, *notes]))
    return True


def _latent(state, recipe: dict, name: str) -> list[str]:
    """The recipe's latent (a grid walk's centre) as the Latent tab's, before truncation."""
    notes = []
    z = explore.recipe_latents(dict(recipe, command="latent", psi=1.0, **{"class": None}))[0]
    state.set_latent(z, QCoreApplication.translate("OpenRecipe", "latent of {name}").format(name=name))
    psi = explore.recipe_psi(recipe)
    ticks = round(psi * PSI_TICKS)
    if not 0 <= ticks <= MAX_PSI_TICKS:
        notes.append(
            QCoreApplication.translate(
                "OpenRecipe", "Its truncation is outside the slider's range: set to the nearest."
            )
        )
    state.set_psi_ticks(ticks)
    if recipe.get("class") is not None and state.conditional:
        state.choose_class(int(recipe["class"]))
    if recipe["command"] == "grid-walk":
        notes.append(QCoreApplication.translate("OpenRecipe", "A grid walk: its centre latent is shown."))
    return notes


def _keyframes(view, recipe: dict, snap, name: str) -> list[str]:
    """The recipe's keyframes (their latents, direction amounts applied) in the Interpolation tab."""
    notes = []
    keys = explore.recipe_keys(recipe)  # (K, Z) before classes and truncation
    classes = recipe.get("classes") or []
    box = view.keyframes_box
    box.clear_keyframes()
    for i, z in enumerate(keys):
        label = QCoreApplication.translate("OpenRecipe", "{name}, keyframe {i}").format(name=name, i=i + 1)
        box.add_keyframe({"z": [float(v) for v in z], "from": label}, label)
        if i < len(classes) and explore.is_conditional(snap):
            box.set_keyframe_class(i, int(classes[i]))
    frames = int(recipe["frames"])
    if frames > view.frames_spin.maximum():
        notes.append(
            QCoreApplication.translate("OpenRecipe", "{n} frames shown as {m}, the tab's most.").format(
                n=frames, m=view.frames_spin.maximum()
            )
        )
    view.frames_spin.setValue(frames)
    view.mode_combo.setCurrentText(recipe.get("mode") or "lerp")
    view.loop_check.setChecked(bool(recipe.get("loop")))
    psi = explore.recipe_psi(recipe)
    view.state.set_psi_ticks(round(psi * PSI_TICKS))
    return notes
