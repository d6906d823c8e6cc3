"""Shared app fixtures."""

import threading

import pytest

from ganstudio.app.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    """A shown main window, closed afterwards with nothing left running."""
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.worker is not None:  # never leave a training thread running
        w.close()
    w.explorer.shutdown()  # nor a directions or finder thread
    assert w.thread is None and not w.explorer.latent_panel.pca_running()
    # no Python thread the test started outlives it (Qt's own threads show up as daemon "Dummy" ones)
    assert not [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
