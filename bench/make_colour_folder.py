"""Gather real colour images from installed Debian icon themes into folders to train on.

    apt-get install moka-icon-theme faenza-icon-theme oxygen-icon-theme gnome-icon-theme mate-icon-theme
    python bench/make_colour_folder.py [--out /tmp/colour_icons] [--small /tmp/colour_icons_small]
                                       [--small-n 1000] [--by-context] [--min-size 48] [--symlink]

Walks /usr/share/icons/<theme>/ (or --themes) for raster PNG icons in size folders
(``48x48/apps/x.png``, ``base/64x64/places/x.png``, ``apps/48/x.png``, ...) of at least --min-size pixels, skips
SVG, ``*symbolic*`` and greyscale icons and icons that are nearly all transparent, keeps one
file per (theme, context, name) (the largest size up to 256 px, which resizes best), and
drops near-duplicates across themes (the same 16x16 thumbnail, e.g. MATE's copies of GNOME
icons). Copies (or with --symlink links) them into --out, flat by default (an unlabelled
folder: the evaluator then uses an autoencoder) or with --by-context in one sub-folder per
theme context (apps, places, mimetypes, ...; contexts with fewer than --min-class images
go to "other"), which the loader reads as classes. --small gets a seeded random subset of
--small-n of them in the same layout. Both folders are replaced if they were made by this
script before (they hold a MANIFEST.tsv: destination, source, theme, context, size).
Transparent pixels become black when ganstudio loads the images.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

SIZE_DIR = re.compile(r"^(\d+)(?:x(\d+))?(@\d+x?)?$")  # 48x48, 48x48@2x, or 48 (apps/48/)
MANIFEST = "MANIFEST.tsv"


def scan(
    themes_root: Path, themes: list[str] | None, min_size: int
) -> dict[tuple[str, str, str], list[tuple[int, Path]]]:
    """(theme, context, name) -> [(size, path)] of raster PNG icons at least min_size px."""
    found: dict[tuple[str, str, str], list[tuple[int, Path]]] = defaultdict(list)
    dirs = [themes_root / t for t in themes] if themes else sorted(p for p in themes_root.iterdir() if p.is_dir())
    for theme_dir in dirs:
        for f in theme_dir.rglob("*.png"):
            if "symbolic" in f.name:
                continue
            parts = f.relative_to(theme_dir).parts
            sizes = [(i, SIZE_DIR.match(p)) for i, p in enumerate(parts[:-1])]
            sizes = [(i, m) for i, m in sizes if m]
            if not sizes:
                continue
            i, m = sizes[-1]
            size = int(m.group(1)) * (int(m.group(3).strip("@x")) if m.group(3) else 1)
            if size < min_size:
                continue
            if m.group(2) is not None:  # freedesktop layout: 48x48/apps/x.png
                context = parts[i + 1] if i + 1 < len(parts) - 1 else "other"
            else:  # Faenza/elementary layout: apps/48/x.png
                context = parts[i - 1] if i > 0 else "other"
            found[(theme_dir.name, context, f.stem)].append((size, f))
    return found


def pick(versions: list[tuple[int, Path]]) -> tuple[int, Path]:
    """The largest size up to 256 px, else the smallest above it."""
    small = [v for v in versions if v[0] <= 256]
    return max(small, key=lambda v: v[0]) if small else min(versions, key=lambda v: v[0])


def inspect(path: Path, min_chroma: float = 8.0) -> tuple[bool, str, str]:
    """(usable, why not, thumbnail key) of an icon: colourful (mean max-min of RGB over its
    opaque pixels >= min_chroma, in 0..255), not nearly empty, decodable."""
    try:
        with Image.open(path) as img:
            img.load()
            if min(img.size) < 16:
                return False, "tiny", ""
            rgba = np.asarray(img.convert("RGBA"), dtype=np.float32)
    except Exception as e:  # noqa: BLE001 - any undecodable file is just skipped
        return False, f"unreadable ({type(e).__name__})", ""
    alpha = rgba[..., 3] / 255.0
    opaque = alpha > 0.5
    if opaque.mean() < 0.05:
        return False, "nearly transparent", ""
    rgb = rgba[..., :3][opaque]
    chroma = (rgb.max(1) - rgb.min(1)).mean()
    if chroma < min_chroma:
        return False, "greyscale", ""
    on_black = (rgba[..., :3] * alpha[..., None]).astype(np.uint8)
    thumb = np.asarray(Image.fromarray(on_black).resize((16, 16), Image.BILINEAR)) // 32
    return True, "", hashlib.sha1(thumb.tobytes()).hexdigest()


def clear(folder: Path) -> None:
    if folder.exists():
        if not (folder / MANIFEST).is_file() and any(folder.iterdir()):
            raise SystemExit(f"{folder} exists and was not made by this script (no {MANIFEST}); pick another --out")
        shutil.rmtree(folder)


def write(folder: Path, items: list[dict], by_context: bool, symlink: bool) -> None:
    clear(folder)
    folder.mkdir(parents=True)
    lines = []
    for it in items:
        sub = folder / it["class"] if by_context else folder
        sub.mkdir(exist_ok=True)
        dest = sub / f"{it['theme']}__{it['context']}__{it['name']}.png"
        if symlink:
            dest.symlink_to(it["path"])
        else:
            shutil.copyfile(it["path"], dest)
        lines.append(f"{dest.relative_to(folder)}\t{it['path']}\t{it['theme']}\t{it['context']}\t{it['size']}")
    (folder / MANIFEST).write_text("destination\tsource\ttheme\tcontext\tsize\n" + "\n".join(lines) + "\n")


def packages_of(paths: list[Path]) -> Counter[str]:
    """How many of these files each Debian package owns (dpkg -S on the resolved paths)."""
    out: Counter[str] = Counter()
    files = sorted({str(p.resolve()) for p in paths})
    for i in range(0, len(files), 400):
        try:
            r = subprocess.run(["dpkg", "-S", *files[i : i + 400]], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):  # no dpkg: not a Debian system
            return out
        for line in r.stdout.splitlines():
            out.update(x.strip() for x in line.split(": ", 1)[0].split(","))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--icons", default="/usr/share/icons", help="where icon themes are installed")
    p.add_argument("--themes", nargs="*", help="theme folder names (default: every installed theme)")
    p.add_argument("--out", default="/tmp/colour_icons")
    p.add_argument("--small", default="/tmp/colour_icons_small", help="'' for none")
    p.add_argument("--small-n", type=int, default=1000)
    p.add_argument("--min-size", type=int, default=48)
    p.add_argument(
        "--min-chroma",
        type=float,
        default=8.0,
        help="colourfulness below which an icon counts as greyscale (mean max-min RGB, 0..255)",
    )
    p.add_argument("--by-context", action="store_true", help="one sub-folder (class) per theme context")
    p.add_argument("--min-class", type=int, default=100, help="smaller contexts go to 'other' with --by-context")
    p.add_argument("--symlink", action="store_true", help="link to the theme files instead of copying")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()

    found = scan(Path(a.icons), a.themes, a.min_size)
    skipped: Counter[str] = Counter()
    seen_thumbs: set[str] = set()
    items = []
    for (theme, context, name), versions in sorted(found.items()):
        size, path = pick(versions)
        ok, why, key = inspect(path, a.min_chroma)
        if not ok:
            skipped[why] += 1
            continue
        if key in seen_thumbs:
            skipped["duplicate (an alias, or another theme's copy)"] += 1
            continue
        seen_thumbs.add(key)
        items.append({"theme": theme, "context": context, "name": name, "size": size, "path": path})
    if not items:
        raise SystemExit(
            f"no colour PNG icons of >= {a.min_size} px under {a.icons}; install e.g. "
            "apt-get install moka-icon-theme faenza-icon-theme oxygen-icon-theme gnome-icon-theme mate-icon-theme"
        )
    contexts = Counter(it["context"] for it in items)
    for it in items:
        it["class"] = it["context"] if contexts[it["context"]] >= a.min_class else "other"

    write(Path(a.out), items, a.by_context, a.symlink)
    themes = Counter(it["theme"] for it in items)
    pkgs = packages_of([it["path"] for it in items])
    print(
        f"{Path(a.out)}: {len(items)} colour icons from {len(found)} candidate (theme, context, name) entries >= "
        f"{a.min_size} px; skipped {dict(skipped)}"
    )
    print(f"  by theme: {dict(themes.most_common())}; files by package: {dict(pkgs.most_common()) or '?'}")
    print(f"  by context: {dict(contexts.most_common())}")
    print(f"  source sizes: {dict(sorted(Counter(it['size'] for it in items).items()))}")
    if a.by_context:
        print(f"  classes: {dict(Counter(it['class'] for it in items).most_common())}")
    if a.small:
        small = random.Random(a.seed).sample(items, min(a.small_n, len(items)))
        write(Path(a.small), small, a.by_context, a.symlink)
        print(
            f"{Path(a.small)}: {len(small)} of them (seed {a.seed}); by theme "
            f"{dict(Counter(it['theme'] for it in small).most_common())}"
        )


if __name__ == "__main__":
    main()
