"""File > Recent runs: the last ``MAX_RECENT`` runs opened or trained, kept in QSettings."""

from __future__ import annotations

from pathlib import Path

MAX_RECENT = 10


class RecentRuns:
    def __init__(self, settings, menu, open_run):
        self.settings, self.menu, self.open_run = settings, menu, open_run
        self.refresh()

    def paths(self) -> list[str]:
        try:
            value = self.settings.value("recentRuns", [])
        except Exception:  # noqa: BLE001 - a corrupt settings file must never stop the app
            value = []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):  # e.g. an int or bytes from a damaged file
            return []
        return [v for v in value if isinstance(v, str)]

    def add(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.paths() if p != str(path)]
        self.settings.setValue("recentRuns", items[:MAX_RECENT])
        self.refresh()

    def refresh(self) -> None:
        self.menu.clear()
        existing = [p for p in self.paths() if (Path(p) / "config.json").exists()]  # drop runs deleted since
        for p in existing:
            a = self.menu.addAction(p)
            a.triggered.connect(lambda _=False, p=p: self.open_run(p))
        self.menu.setEnabled(bool(existing))
