"""The app's languages and how a name for one is read (Qt-free: ``ganstudio app --lang`` checks
its flag before Qt loads; app/i18n.py installs the language)."""

from __future__ import annotations

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}  # each in its own words (View > Language shows them so)


def normalize(lang: str) -> str | None:
    """``zh_CN``, ``zh-CN``, ``zh_CN.UTF-8``, ``zh`` -> ``zh_CN``; ``en_US``, ``C`` -> ``en``; None if unknown."""
    base = lang.split(".")[0].replace("-", "_").strip()
    if base in LANGUAGES:
        return base
    if base.lower().startswith("zh"):
        return "zh_CN"  # the one Chinese catalogue (Simplified)
    if base.lower() in ("c", "posix") or base.lower().startswith("en"):
        return "en"
    return None
