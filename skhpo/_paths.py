"""Why a file cannot be written at a path, checked before any work is done."""

import os


def unwritable_file(path):
    """``(exception class, problem)`` if no file can be created at ``path``,
    else None; ``problem`` completes "``path`` ...".

    Examples
    --------
    >>> from skhpo._paths import unwritable_file
    >>> unwritable_file(".")
    (<class 'IsADirectoryError'>, 'is a directory')
    >>> unwritable_file("results.json") is None
    True
    """
    if not path:
        return FileNotFoundError, "is empty"
    if os.path.isdir(path):
        return IsADirectoryError, "is a directory"
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        return FileNotFoundError, f"is in a directory that does not exist ({directory})"
    return None
