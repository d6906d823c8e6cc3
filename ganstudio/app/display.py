"""Can Qt open a window here? Checked before the QApplication exists (Qt-free).

Without a display, or on Linux without a system library Qt's xcb platform plugin links
against (most often libxcb-cursor0, needed since Qt 6.5 and absent from many minimal
installs), creating the QApplication aborts the process with "could not load the Qt
platform plugin xcb" and a core dump. These checks turn that into one line that says
what is missing and how to install it.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# soname the xcb plugin (libqxcb.so, libQt6XcbQpa.so.6) needs -> (Debian/Ubuntu package, Fedora package)
XCB_LIBRARIES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
}


def can_load(soname: str) -> bool:
    """Whether the dynamic loader finds ``soname`` (the same search Qt's plugin load makes;
    ctypes.util.find_library would also accept a differently versioned file)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_libraries(find: Callable[[str], bool] | None = None) -> list[str]:
    """The sonames of XCB_LIBRARIES that ``find(soname)`` (default :func:`can_load`) does not find."""
    find = find or can_load  # looked up at call time, so a test can stand in for the loader
    return [name for name in XCB_LIBRARIES if not find(name)]


def missing_libraries_message(missing: list[str]) -> str:
    """One line: what is missing and the command that installs it."""
    apt = " ".join(dict.fromkeys(XCB_LIBRARIES[m][0] for m in missing))
    dnf = " ".join(dict.fromkeys(XCB_LIBRARIES[m][1] for m in missing))
    which = "which is" if len(missing) == 1 else "which are"
    return (
        f"cannot open the app's window: Qt's xcb platform plugin needs {', '.join(missing)}, {which} not installed. "
        f"Install with: sudo apt-get install {apt} (Fedora: sudo dnf install {dnf})"
    )


NO_DISPLAY = (
    "no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); on a server use "
    "xvfb-run ganstudio app, or QT_QPA_PLATFORM=offscreen for a window nobody sees"
)


def uses_xcb(env: Mapping[str, str]) -> bool:
    """Whether Qt will open its windows through X11 (the xcb plugin) with this environment.

    In a Wayland session (XDG_SESSION_TYPE=wayland and WAYLAND_DISPLAY set) Qt picks its
    Wayland plugin, which needs none of the xcb libraries, so they are not required there.
    """
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(";")[0].split(":")[0] == "xcb"
    wayland = env.get("XDG_SESSION_TYPE") == "wayland" and bool(env.get("WAYLAND_DISPLAY"))
    return bool(env.get("DISPLAY")) and not wayland


def display_problem(
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    find: Callable[[str], bool] | None = None,
) -> str | None:
    """Why Qt could not open a window here (one line), or None when it should work."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None  # macOS and Windows always have their own platform plugin and a display
    if not env.get("QT_QPA_PLATFORM") and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return NO_DISPLAY
    if uses_xcb(env):
        missing = missing_xcb_libraries(find)
        if missing:
            return missing_libraries_message(missing)
    return None


def check_display() -> None:
    """Raise a GanstudioError (one line for the user) when Qt could not open a window here."""
    from ganstudio.errors import GanstudioError

    problem = display_problem()
    if problem is not None:
        raise GanstudioError(problem)
