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


def first_lines(e: BaseException | str, n: int = 1, limit: int | None = None) -> str:
    """The first ``n`` non-blank lines of an error (or message), stripped and joined by spaces,
    cut to ``limit`` characters when given.

    Library errors (PyTorch's load_state_dict, NCCL/Gloo, a subprocess) can run to pages; a
    one-line message for the user keeps their gist. Never empty: an error without text gives its type.
    """
    text = " ".join([line.strip() for line in str(e).splitlines() if line.strip()][:n])
    if not text:
        return type(e).__name__ if isinstance(e, BaseException) else ""
    return text[:limit] if limit is not None else text
