"""The check that runs before the app's QApplication: no display, or a missing X library, is
one line naming the fix instead of Qt's abort."""

import pytest

from ganstudio.app.display import NO_DISPLAY, XCB_LIBRARIES, can_load, display_problem, missing_xcb_libraries

ALL = lambda name: True  # noqa: E731
NO_CURSOR = lambda name: name != "libxcb-cursor.so.0"  # noqa: E731


def test_the_real_loader():
    assert can_load("libc.so.6")
    assert not can_load("libganstudio-no-such-library.so.7")


def test_missing_libraries_are_named_in_table_order():
    assert missing_xcb_libraries(ALL) == []
    assert missing_xcb_libraries(NO_CURSOR) == ["libxcb-cursor.so.0"]
    assert missing_xcb_libraries(lambda name: False) == list(XCB_LIBRARIES)


def test_missing_cursor_library_says_how_to_install_it():
    msg = display_problem({"DISPLAY": ":0"}, "linux", NO_CURSOR)
    assert "\n" not in msg and "libxcb-cursor.so.0" in msg
    assert "sudo apt-get install libxcb-cursor0" in msg and "sudo dnf install xcb-util-cursor" in msg
    assert display_problem({"DISPLAY": ":0"}, "linux", ALL) is None


def test_several_missing_libraries_share_one_install_command():
    msg = display_problem({"DISPLAY": ":0"}, "linux", lambda n: n not in ("libxcb-cursor.so.0", "libxcb-shm.so.0"))
    assert "libxcb-cursor.so.0, libxcb-shm.so.0, which are not installed" in msg
    assert "sudo apt-get install libxcb-cursor0 libxcb-shm0 " in msg and "xcb-util-cursor libxcb)" in msg


@pytest.mark.parametrize(
    "env, checks_xcb",
    [
        ({"DISPLAY": ":0"}, True),  # an X11 session
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, True),
        ({"QT_QPA_PLATFORM": "xcb:nograb"}, True),  # asked for xcb: it needs the libraries regardless
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, True),  # WSLg and others: no session type, Qt picks xcb
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, False),  # Qt's Wayland
        ({"WAYLAND_DISPLAY": "wayland-0"}, False),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
        ({"QT_QPA_PLATFORM": "wayland"}, False),
    ],
)
def test_libraries_are_checked_only_when_qt_will_use_xcb(env, checks_xcb):
    msg = display_problem(env, "linux", NO_CURSOR)
    if checks_xcb:
        assert msg is not None and "libxcb-cursor.so.0" in msg
    else:
        assert msg is None


def test_no_display_at_all():
    assert display_problem({}, "linux", ALL) == NO_DISPLAY
    assert "xvfb-run" in NO_DISPLAY and "QT_QPA_PLATFORM=offscreen" in NO_DISPLAY
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", ALL) is None
    assert display_problem({}, "darwin", lambda n: False) is None  # macOS and Windows need neither
    assert display_problem({}, "win32", lambda n: False) is None
