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


def test_what_the_start_up_leaves_is_frozen_once_its_imports_are_done(qtbot):
    """What app.warm_up imports would otherwise be scanned by a collection in the middle of
    training (234 ms of the GIL on ring8); frozen, no collection scans it again."""
    import threading

    from ganstudio.app.gc_policy import GC_MS

    w = MainWindow()
    qtbot.addWidget(w)
    imports_done = threading.Event()
    imports = threading.Thread(target=imports_done.wait)
    imports.start()
    w.cycle_collector.freeze_after(imports)
    before = gc.get_freeze_count()
    try:
        qtbot.wait(int(1.5 * GC_MS))  # a tick passes while the imports run: nothing frozen yet
        assert gc.get_freeze_count() == before
        imports_done.set()
        qtbot.waitUntil(lambda: gc.get_freeze_count() > before, timeout=3 * GC_MS)
    finally:
        imports_done.set()
        gc.unfreeze()  # the rest of the test session collects as usual
    w.close()
