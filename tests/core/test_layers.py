"""The house rule that keeps the engine usable without a display: nothing outside
ganstudio/app/ imports Qt or pyqtgraph (docs/ARCHITECTURE.md, "Qt stays in app/")."""

import subprocess
import sys
from pathlib import Path

import pytest

import ganstudio

ROOT = Path(ganstudio.__file__).parent
QT = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "superqt", "qtpy")


def test_no_qt_import_outside_app_in_the_source():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if "app" in path.relative_to(ROOT).parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            words = line.strip().replace(",", " ").split()
            if words[:1] in (["import"], ["from"]) and any(w.split(".")[0] in QT for w in words[1:3]):
                offenders.append(f"{path.relative_to(ROOT.parent)}:{n}: {line.strip()}")
    assert not offenders, "Qt outside ganstudio/app/:\n" + "\n".join(offenders)


def test_the_engine_trains_and_samples_with_qt_unimportable(tmp_path):
    # A None in sys.modules makes `import PySide6` fail, as if it were not installed.
    code = f"""
import sys
for name in {QT!r}:
    sys.modules[name] = None
from ganstudio.config import TrainConfig
from ganstudio.training import Trainer
import ganstudio.cli, ganstudio.explore, ganstudio.api, ganstudio.metrics.evaluate, ganstudio.io.follow
tr = Trainer(TrainConfig(dataset="ring8", steps=5, eval_every=0), run_dir={str(tmp_path / "run")!r})
list(tr.run())
print("ok", tr.step_count)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "ok 5" in r.stdout, r.stderr


def test_no_import_cycle_between_modules():
    # pyproject's acyclic_siblings contract squashes packages and names two exceptions; this one
    # looks at single modules with no exception, so nothing hides behind those.
    grimp = pytest.importorskip("grimp")  # installed with import-linter (the test extra)
    graph = grimp.build_graph("ganstudio", cache_dir=None)
    cycles = []
    for a in sorted(graph.modules):
        for b in sorted(graph.find_modules_directly_imported_by(a)):
            back = graph.find_shortest_chain(importer=b, imported=a)
            if back:
                cycles.append(" -> ".join((a, *back)))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
