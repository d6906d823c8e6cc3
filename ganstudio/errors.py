"""User-facing errors.

Anything raised as a :class:`GanstudioError` is a problem with the user's input or
environment (a bad flag, a corrupt file, an empty folder). Front ends print its message
without a traceback; everything else is a bug and keeps its traceback.
"""


class GanstudioError(Exception):
    """An error whose message is meant for the user, not a developer."""


class DatasetError(GanstudioError):
    """A dataset name, file or folder that cannot be used."""


class CheckpointError(GanstudioError):
    """A checkpoint that cannot be loaded (malformed, unsafe, or for another model)."""


class ConfigError(GanstudioError):
    """A configuration value or file that is invalid."""


class NonFiniteLossError(GanstudioError):
    """Training produced a NaN or infinite loss."""


class Cancelled(GanstudioError):
    """The user cancelled a long operation (e.g. loading a large dataset); not a failure."""


def first_lines(e: BaseException | str, n: int = 1) -> str:
    """The first ``n`` non-blank lines of an error (or message), stripped and joined by spaces.

    Library errors (PyTorch's load_state_dict, Qt, a subprocess) can run to pages; a one-line
    message for the user keeps their gist. Never empty: an error without text gives its type.
    """
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    if lines:
        return " ".join(lines[:n])
    return type(e).__name__ if isinstance(e, BaseException) else ""
