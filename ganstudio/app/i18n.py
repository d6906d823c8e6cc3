"""The app's languages: which one (``--lang``, ``GANSTUDIO_LANG``, the system locale), the Qt
translators that speak it (ours from resources/i18n/, Qt's own qtbase catalogue for standard
dialogs), switching live (View > Language), and a CJK font for the plots.

Texts that must follow a live switch are set through :func:`live`: it sets the text now and
again after every switch (the registry below), so a widget needs no retranslate method of its
own and a message keeps its arguments (docs/ARCHITECTURE.md, "Add or change a user-visible
string"). Strings stay English in the source; pyside6-lupdate extracts every ``self.tr(...)``,
``QCoreApplication.translate(...)`` and ``QT_TRANSLATE_NOOP(...)`` (tools/i18n.py).
"""

from __future__ import annotations

import os
import sys
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QObject, QTranslator

from ganstudio.app.languages import LANGUAGES, normalize
from ganstudio.errors import GanstudioError

ENV = "GANSTUDIO_LANG"
CATALOGUE = "i18n/ganstudio_{}.qm"  # under resources/ (ganstudio.app.resource_path)
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC")


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 -- the name lupdate looks for
    """Marks ``text`` for extraction under ``context``; translated where it is shown."""
    return text


def marked(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """``QCoreApplication.translate``, for strings marked with QT_TRANSLATE_NOOP elsewhere."""
    return QCoreApplication.translate(context, text, disambiguation, n)


def choose(flag: str | None = None) -> str:
    """The language to start in: ``--lang``, else ``GANSTUDIO_LANG``, else the system locale
    (an unknown system language falls back to English; an unknown flag or variable is an error)."""
    for value, where in ((flag, "--lang"), (os.environ.get(ENV), ENV)):
        if value:
            lang = normalize(value)
            if lang is None:
                raise GanstudioError(f"{where} {value!r}: the app speaks {' or '.join(LANGUAGES)}")
            return lang
    return normalize(QLocale.system().name()) or "en"


class Language(QObject):
    """The installed translators (one Language per application: ``Language.of(app)``)."""

    def __init__(self, app):
        super().__init__(app)
        self.setObjectName("ganstudioLanguage")
        self.current = "en"
        self._translators: list[QTranslator] = []

    @staticmethod
    def of(app) -> Language:
        found = app.findChild(Language, "ganstudioLanguage")
        return found if found is not None else Language(app)

    def set(self, lang: str) -> None:
        """Install ``lang``'s catalogues and retranslate every text set through :func:`live`."""
        from ganstudio.app.resource_files import resource_path

        app = QCoreApplication.instance()
        for t in self._translators:
            app.removeTranslator(t)
        self._translators = []
        if lang != "en":
            ours = QTranslator(self)
            if not ours.load(str(resource_path(CATALOGUE.format(lang)))):
                raise GanstudioError(f"the {lang} catalogue {resource_path(CATALOGUE.format(lang))} is missing")
            qt = QTranslator(self)  # Qt's own: standard buttons and dialogs (OK, Cancel, file dialogs)
            if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
                self._translators.append(qt)
            self._translators.append(ours)
            for t in self._translators:
                app.installTranslator(t)
        self.current = lang
        QLocale.setDefault(QLocale(lang if lang != "en" else "en_US"))
        # the widgets' changeEvent(LanguageChange) now, not at the next turn of the event loop
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
        retranslate()


# ---------------------------------------------------------------------- texts that follow a switch
_live: dict[tuple, tuple[object, str, tuple, Callable[[], str]]] = {}
_pruned_at = 64


def live(obj, setter: str, text: Callable[[], str], *args) -> str:
    """``obj.setter(*args, text())`` now and after every language switch (the last call per
    object, setter and args wins). ``text`` calls ``self.tr``/``translate`` itself, so lupdate
    sees the string and the switch re-evaluates it with its arguments. Returns the text."""
    global _pruned_at
    value = text()
    getattr(obj, setter)(*args, value)
    _live[(id(obj), setter, args)] = (obj, setter, args, text)
    if len(_live) > 2 * _pruned_at:  # dialogs come and go: drop the entries of deleted objects
        _prune()
        _pruned_at = max(64, len(_live))
    return value


def forget(obj, setter: str, *args) -> None:
    """A text set without :func:`live` (data, not words) replaces a live one."""
    _live.pop((id(obj), setter, args), None)


def _alive(obj) -> bool:
    from shiboken6 import isValid

    try:
        return isValid(obj)
    except TypeError:  # not a Qt object (a pyqtgraph item is one; a plain Python object may be used)
        return True


def _prune() -> None:
    for key, (obj, *_rest) in list(_live.items()):
        if not _alive(obj):
            del _live[key]


def retranslate() -> None:
    """Every text set through :func:`live`, in the language now installed."""
    _prune()
    for obj, setter, args, text in list(_live.values()):
        try:
            getattr(obj, setter)(*args, text())
        except RuntimeError:  # deleted between the prune and now
            pass
    for hook in list(_hooks):
        hook()


_hooks: list[Callable[[], None]] = []


def on_switch(hook: Callable[[], None]) -> None:
    """``hook()`` after every language switch (texts built from state rather than set once)."""
    _hooks.append(hook)


def off_switch(hook: Callable[[], None]) -> None:
    if hook in _hooks:
        _hooks.remove(hook)


# ---------------------------------------------------------------------- fonts
_font_notice_given = False


def cjk_family() -> str | None:
    """An installed font family with Simplified Chinese glyphs (None: none is installed)."""
    from PySide6.QtGui import QFontDatabase

    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    for name in CJK_FAMILIES:
        if name in families:
            return name
    return families[0] if families else None


def use_cjk_font(app) -> str | None:
    """Chinese text everywhere (plots draw their own text) in a font that has its glyphs: the
    app font's family first, a CJK family behind it. Says once, in English, when none is
    installed (Chinese would show as boxes). Returns the family used, or None."""
    global _font_notice_given
    family = cjk_family()
    if family is None:
        if not _font_notice_given:
            _font_notice_given = True
            print(
                "ganstudio: no font with Chinese glyphs is installed; Chinese text will show as boxes. "
                "Install one, e.g.: sudo apt-get install fonts-noto-cjk",
                file=sys.stderr,
            )
        return None
    font = app.font()
    if family not in font.families():
        font.setFamilies([font.family(), family])
        app.setFont(font)
    return family


# ---------------------------------------------------------------------- View > Language
def add_language_menu(window, view_menu) -> None:
    """View > Language (``languageMenu``): one checkable action per language (``lang_zh_CN``...),
    switching live; the choice is remembered for the next start (QSettings ``language``)."""
    from PySide6.QtGui import QAction, QActionGroup

    menu = view_menu.addMenu("")
    menu.setObjectName("languageMenu")
    live(menu, "setTitle", lambda: QCoreApplication.translate("MainWindow", "&Language"))
    group = QActionGroup(menu)
    language = Language.of(QCoreApplication.instance())
    for lang, name in LANGUAGES.items():
        a = QAction(name, menu, checkable=True, objectName=f"lang_{lang}")
        a.setChecked(lang == language.current)
        a.triggered.connect(lambda _=False, lang=lang: switch(window, lang))
        group.addAction(a)
        menu.addAction(a)
    window.language_menu = menu


def switch(window, lang: str) -> None:
    """Switch the running app to ``lang`` (training goes on) and remember it."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    language = Language.of(app)
    if lang != "en":
        use_cjk_font(app)
    language.set(lang)
    window.settings.setValue("language", lang)
    for a in window.language_menu.actions():
        a.setChecked(a.objectName() == f"lang_{lang}")


def start(app, flag: str | None = None, settings=None) -> str:
    """Install the start-up language: ``--lang``, ``GANSTUDIO_LANG``, the language picked last
    in View > Language, the system locale. Returns it."""
    if flag or os.environ.get(ENV):
        lang = choose(flag)
    else:
        saved = settings.value("language", "") if settings is not None else ""
        lang = normalize(saved) if isinstance(saved, str) and saved else None
        lang = lang or choose(None)
    if lang != "en":
        use_cjk_font(app)
    Language.of(app).set(lang)
    return lang


def label(text: Callable[[], str], **kw):
    """A QLabel whose text follows language switches: ``label(lambda: self.tr("Seed"))``."""
    from PySide6.QtWidgets import QLabel

    w = QLabel(**kw)
    live(w, "setText", text)
    return w
