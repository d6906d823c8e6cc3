"""The app's files on disk (icon, desktop entry), installed as the package ``ganstudio.resources``.

This folder sits at the repository's top level; pyproject.toml maps it into the package so
``importlib.resources.files("ganstudio.resources")`` finds it in a wheel and in an editable
install alike (``ganstudio.app.resource_path`` reads it).
"""
