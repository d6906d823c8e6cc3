"""Python's cycle collector runs in the UI thread while a window is open (MainThreadGC): run
from the training worker it destroyed dead Qt objects there and the app froze."""

import gc

from ganstudio.app import MainWindow


def test_the_ui_thread_collects_while_a_window_is_open_and_gives_it_back(qtbot):
    assert gc.isenabled()
    w = MainWindow()
    qtbot.addWidget(w)
    other = MainWindow()
    qtbot.addWidget(other)
    assert not gc.isenabled()  # no thread collects on its own allocations now

    class Cycle:
        pass

    for _ in range(gc.get_threshold()[0] + 10):  # past the young generation's threshold
        a, b = Cycle(), Cycle()
        a.b, b.a = b, a
    assert gc.get_count()[0] > gc.get_threshold()[0]
    qtbot.waitUntil(lambda: gc.get_count()[0] < gc.get_threshold()[0], timeout=5000)  # collected here

    other.close()
    assert not gc.isenabled()  # one window still open
    w.close()
    assert gc.isenabled()
