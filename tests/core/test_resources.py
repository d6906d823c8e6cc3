"""The top-level resources/ folder: what it holds and that the package installs all of it."""

import configparser
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

import ganstudio
from ganstudio.app import ICON_SIZES, resource_path

REPO = Path(ganstudio.__file__).resolve().parents[1]


def test_icon_pngs_have_their_sizes_and_the_svg_parses():
    for n in ICON_SIZES:
        with Image.open(resource_path(f"icons/{n}x{n}/ganstudio.png")) as im:
            assert im.size == (n, n) and im.mode == "RGBA"
            assert im.getpixel((n // 2, n // 2))[3] == 255  # drawn, not a blank canvas
    root = ET.parse(resource_path("ganstudio.svg")).getroot()
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 256 256"


def test_desktop_entry_launches_the_app_with_its_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(resource_path("ganstudio.desktop"), encoding="utf-8")
    e = entry["Desktop Entry"]
    assert e["Type"] == "Application" and e["Exec"] == "ganstudio app" and e["Icon"] == "ganstudio"
    assert e["Categories"].endswith(";")


def test_resources_come_from_the_top_level_folder():
    assert resource_path("ganstudio.desktop") == REPO / "resources" / "ganstudio.desktop"


def test_pyproject_lists_every_package():
    # pyproject names its packages (discovery cannot see the resources/ mapping); a new
    # sub-package left out of the list would be missing from the wheel.
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    tool = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {
        ".".join(p.parent.relative_to(REPO).parts)
        for p in (REPO / "ganstudio").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert set(tool["packages"]) == found | {"ganstudio.resources"}
    assert tool["package-dir"] == {"ganstudio.resources": "resources"}
    shipped = tool["package-data"]["ganstudio.resources"]
    for n in ICON_SIZES:
        assert any(Path(f"icons/{n}x{n}/ganstudio.png").match(g) for g in shipped)
