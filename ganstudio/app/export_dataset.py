"""File > Export dataset...: a labelled synthetic dataset from the open run (ganstudio/synth.py)
written in a background thread with a progress bar and Cancel, then, if asked, what it is worth
(metrics/utility.measure: CAS, the augmentation curve, leakage) shown in the Quality panel."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganstudio.errors import Cancelled, GanstudioError


class ExportJob(QThread):
    """Loads G, draws the set, writes it; then measures its worth when asked. Never touches widgets."""

    progress = Signal(str, int, int)  # (stage: generate / write / measure, done, total)
    note = Signal(str)  # a line of the measurement's progress
    exported = Signal(str)  # the folder written
    measured = Signal(object)  # the utility result (dict)
    failed = Signal(str)

    def __init__(self, run: Path, checkpoint: str, options: dict, parent=None):
        super().__init__(parent)
        self.setObjectName("exportDatasetJob")
        self.run_path, self.checkpoint, self.options = run, checkpoint, options
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:  # the thread
        from ganstudio.generator import find_checkpoint, load_generator
        from ganstudio.metrics import utility
        from ganstudio.synth import needs_classifier
        from ganstudio.synth_files import export_set, provenance

        o = self.options
        try:
            ckpt = find_checkpoint(self.run_path, "best" if self.checkpoint == "best" else None)
            snap = load_generator(ckpt)
            conditional = bool(getattr(snap.G, "n_classes", 0))
            label_by = o["label_by"] if conditional else "features"
            features = real = None
            if needs_classifier(o["filter"], label_by, o["balance"]):
                features, real = utility.feature_net(snap.cfg, log=self.note.emit)
            _, out = export_set(
                snap,
                o["out"],
                o["format"],
                provenance(snap, ckpt),
                o["force"],
                self.progress.emit,
                self._cancel.is_set,
                per_class=o["per_class"],
                filter_p=o["filter"],
                seed=o["seed"],
                label_by=label_by,
                features=features,
                balance=o["balance"],
                real=real,
            )
            self.exported.emit(str(out))
            if o["measure"]:
                self.progress.emit("measure", 0, 0)
                result = utility.measure(
                    snap,
                    ckpt,
                    per_class=o["per_class"],
                    filter_p=o["filter"],
                    seed=o["seed"],
                    label_by=label_by,
                    balance=o["balance"],
                    say=self.note.emit,
                    cancel=self._cancel.is_set,
                )
                utility.write_result(snap.run or self.run_path, result)
                self.measured.emit(result)
        except Cancelled:
            self.failed.emit("")
        except GanstudioError as e:
            self.failed.emit(str(e))
        except Exception as e:  # noqa: BLE001 - a bug must reach the dialog, not kill the thread silently
            self.failed.emit(f"{type(e).__name__}: {e}")


class ExportDatasetDialog(QDialog):
    """Count per class, format, filter, where; a progress bar; Cancel stops the thread."""

    def __init__(self, run: Path | None, checkpoint: str = "latest", quality_panel=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("exportDatasetDialog")
        self.setWindowTitle(self.tr("Export dataset"))
        self.run_path, self.checkpoint, self.quality_panel = run, checkpoint, quality_panel
        self.job: ExportJob | None = None
        self.result: dict | None = None

        self.per_class = QSpinBox(objectName="perClassSpin")
        self.per_class.setRange(1, 100_000)
        self.per_class.setValue(1000)
        self.per_class.setSingleStep(100)
        self.per_class.setToolTip(
            self.tr(
                "The set holds this many times the classes; with more of the confused classes, per class on average"
            )
        )
        self.format = QComboBox(objectName="formatCombo")
        for key, text in (
            ("folder", self.tr("Folder of PNGs per class")),
            ("npz", self.tr("NumPy .npz")),
            ("idx", self.tr("MNIST-format IDX files")),
        ):
            self.format.addItem(text, key)
        from ganstudio.synth import DEFAULT_BALANCE, DEFAULT_FILTER, DEFAULT_LABEL_BY

        self.label_by = QComboBox(objectName="labelByCombo")
        for key, text in (
            ("features", self.tr("Named by the classifier")),
            ("generator", self.tr("The class the generator was asked for")),
        ):
            self.label_by.addItem(text, key)
        self.label_by.setCurrentIndex(self.label_by.findData(DEFAULT_LABEL_BY))
        self.label_by.setToolTip(
            self.tr(
                "Named by the classifier: the generator is asked for each class in turn and the "
                "evaluation's classifier, trained on the run's real images, labels what came out "
                "(the more useful set). An unconditional generator's images are always labelled this way."
            )
        )
        self.balance = QComboBox(objectName="balanceCombo")
        for key, text in (
            ("hard", self.tr("More of the classes the classifier confuses")),
            ("equal", self.tr("The same count per class")),
        ):
            self.balance.addItem(text, key)
        self.balance.setCurrentIndex(self.balance.findData(DEFAULT_BALANCE))
        self.balance.setToolTip(
            self.tr(
                "More of the classes the classifier confuses: the images per class are an average; a class "
                "the evaluation's classifier often mistakes on real images gets up to 5x the images of an easy "
                "one (the more useful set: a classifier trained on it gets those classes right more often)."
            )
        )
        self.filter = QDoubleSpinBox(objectName="filterSpin")
        self.filter.setRange(0.0, 0.99)
        self.filter.setDecimals(2)
        self.filter.setSingleStep(0.05)
        self.filter.setValue(DEFAULT_FILTER or 0.0)
        self.filter.setSpecialValueText(self.tr("off"))
        self.filter.setToolTip(
            self.tr("Keep images the evaluation's classifier gives their label with at least this probability")
        )
        self.out = QLineEdit(objectName="outEdit")
        self.out.setPlaceholderText(self.tr("a new folder"))
        browse = QPushButton(self.tr("Browse..."), objectName="browseButton")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.out, 1)
        where.addWidget(browse)
        self.measure = QCheckBox(self.tr("Then measure what it is worth (CAS, augmentation, leakage; minutes)"))
        self.measure.setObjectName("measureCheck")

        self.bar = QProgressBar(objectName="exportProgress")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.message = QLabel(objectName="exportMessage", wordWrap=True)
        self.export_button = QPushButton(self.tr("Export"), objectName="exportButton")
        self.cancel_button = QPushButton(self.tr("Cancel"), objectName="cancelExportButton")
        self.close_button = QPushButton(self.tr("Close"), objectName="closeExportButton")
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.close)
        self.cancel_button.setEnabled(False)

        form = QFormLayout()
        form.addRow(self.tr("Images per class"), self.per_class)
        form.addRow(self.tr("Format"), self.format)
        form.addRow(self.tr("Labels"), self.label_by)
        form.addRow(self.tr("Class balance"), self.balance)
        form.addRow(self.tr("Confidence filter"), self.filter)
        form.addRow(self.tr("Output folder"), where)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.export_button, self.cancel_button, self.close_button):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        source = (
            self.tr("From {run} ({which} checkpoint)").format(
                run=run.name, which=self.tr("best") if checkpoint == "best" else self.tr("latest")
            )
            if run is not None
            else self.tr("Open or train a run first: the dataset is drawn from its generator.")
        )
        self.source = QLabel(source, objectName="exportSource", wordWrap=True)
        lay.addWidget(self.source)
        lay.addLayout(form)
        lay.addWidget(self.measure)
        lay.addWidget(self.bar)
        lay.addWidget(self.message)
        lay.addLayout(buttons)
        self.export_button.setEnabled(run is not None)
        self.resize(520, self.sizeHint().height())

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Export dataset into"), str(Path.home()))
        if path:
            self.out.setText(str(Path(path) / "synthetic"))

    def options(self) -> dict:
        p = self.filter.value()
        return {
            "per_class": self.per_class.value(),
            "format": self.format.currentData(),
            "filter": p if p > 0 else None,
            "label_by": self.label_by.currentData(),
            "balance": self.balance.currentData(),
            "seed": 0,
            "out": self.out.text().strip(),
            "force": False,
            "measure": self.measure.isChecked(),
        }

    def start(self) -> None:
        o = self.options()
        if not o["out"]:
            self._say(self.tr("Choose an output folder first."), error=True)
            return
        from ganstudio.synth_files import check_out

        try:
            check_out(Path(o["out"]).expanduser(), False)
        except GanstudioError as e:
            self._say(str(e), error=True)
            return
        self.job = ExportJob(self.run_path, self.checkpoint, o, self)
        self.job.progress.connect(self._progress)
        self.job.note.connect(lambda line: self._say(line))
        self.job.exported.connect(self._exported)
        self.job.measured.connect(self._measured)
        self.job.failed.connect(self._failed)
        self.job.finished.connect(self._finished)
        self._running(True)
        self._say(self.tr("Drawing {n} images per class...").format(n=o["per_class"]))
        self.job.start()

    def cancel(self) -> None:
        if self.job is not None and self.job.isRunning():
            self.job.cancel()
            self._say(self.tr("Cancelling..."))

    def closeEvent(self, event) -> None:
        """Closing cancels a running export and waits for its thread (a partial output is removed)."""
        if self.job is not None and self.job.isRunning():
            self.job.cancel()
            self.job.wait()
        super().closeEvent(event)

    def _running(self, on: bool) -> None:
        self.export_button.setEnabled(not on and self.run_path is not None)
        self.cancel_button.setEnabled(on)
        for w in (self.per_class, self.format, self.label_by, self.balance, self.filter, self.out, self.measure):
            w.setEnabled(not on)

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 0))
        self.bar.setValue(min(done, total) if total else 0)
        formats = {
            "generate": self.tr("Drawing images: %p%"),
            "write": self.tr("Writing files: %p%"),
            "measure": self.tr("Measuring what the set is worth (a few minutes)"),
        }
        self.bar.setFormat(formats.get(stage, "%p%"))

    def _exported(self, path: str) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self._say(self.tr("Wrote {path}").format(path=path))

    def _measured(self, result: dict) -> None:
        self.result = result
        if self.quality_panel is not None:
            self.quality_panel.show_utility(result)
        self._say(self.tr("Measured: see the Quality panel. {verdict}").format(verdict=result["leakage"]["verdict"]))

    def _failed(self, error: str) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self._say(self.tr("Cancelled; nothing was left behind.") if not error else error, error=bool(error))

    def _finished(self) -> None:
        self._running(False)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #e06060" if error else "")


def open_export_dataset(window) -> ExportDatasetDialog:
    """File > Export dataset...: the dialog for the window's open (or last trained) run."""
    session = window.session
    dialog = ExportDatasetDialog(
        session.run_path, getattr(session, "open_checkpoint", "latest"), window.quality_panel, window
    )
    # Window-modal: the run it was opened for stays the window's run while it is shown.
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    window._export_dataset_dialog = dialog  # kept alive while shown
    return dialog
