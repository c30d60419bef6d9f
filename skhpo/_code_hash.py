"""Hashes that see what a function does, not where it is written.

A checkpoint journal must be refused when the setup that wrote it differs.
Pickling (which joblib's hash builds on) writes a function by its name: a
scorer or a ``FunctionTransformer`` function whose body was edited hashed as
before, and a journal of the old code was resumed as if nothing had changed.
Pickling by value (cloudpickle) writes the code with its file name and line
numbers: a comment added above a lambda, or the script run under another
name, refused a journal that nothing had changed. Here a function is hashed
by its bytecode, constants, names, defaults, closure and the same-module
functions and constants it uses (through a library decorator's wrapper),
and by nothing about where it sits.
"""

from __future__ import annotations

import os
import sysconfig
import types

from joblib.hashing import NumpyHasher


def code_hash(value):
    """An md5 hex digest of ``value``, functions inside it by their code.

    Examples
    --------
    >>> from skhpo._code_hash import code_hash
    >>> code_hash(lambda x: x + 1) == code_hash(lambda x: x + 1)  # another line
    True
    >>> code_hash(lambda x: x + 1) == code_hash(lambda x: x + 2)
    False
    """
    return _CodeHasher().hash(value)


class _CodeHasher(NumpyHasher):
    def __init__(self):
        super().__init__(hash_name="md5")
        self._seen = set()  # functions already hashed once, against recursion

    def save(self, obj):
        if isinstance(obj, types.FunctionType):
            # A library decorator's wrapper (functools.wraps) of the user's
            # function: the user's function is what it runs. (A library's
            # wrapper of its own function stays as pickle writes it.)
            inner = obj
            while not _written_by_user(inner) and isinstance(
                    getattr(inner, "__wrapped__", None), types.FunctionType):
                inner = inner.__wrapped__
            if _written_by_user(inner):
                obj = self._identity(inner)
        elif type(obj) is frozenset:  # pickled in hash order, which varies by process
            obj = ("frozenset", tuple(sorted(map(repr, obj))))
        super().save(obj)

    def _identity(self, func):
        if id(func) in self._seen:  # a recursive function: its name will do
            return ("recursive function", func.__qualname__)
        self._seen.add(id(func))
        cells = []
        for cell in func.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                value = "<empty cell>"
            # A module does not pickle: by its name.
            cells.append(("module", value.__name__) if isinstance(value, types.ModuleType)
                         else value)
        # The module's own functions it calls (from nested code too: a
        # generator expression, an inner def), whose edits change what it does.
        names = _names(func.__code__)
        calls = {name: func.__globals__[name] for name in sorted(names)
                 if isinstance(func.__globals__.get(name), types.FunctionType)
                 and func.__globals__[name].__module__ == func.__module__
                 and _written_by_user(func.__globals__[name])}
        # The module's constants it reads (THRESHOLD = 0.5): numbers, strings
        # and tuples of them, which an edit changes.
        constants = {name: func.__globals__[name] for name in sorted(names)
                     if name in func.__globals__ and _is_constant(func.__globals__[name])}
        return ("function", func.__qualname__, _code_identity(func.__code__),
                func.__defaults__, func.__kwdefaults__, tuple(cells),
                sorted(calls.items()), sorted(constants.items()))


_LIBRARY_DIRS = tuple(os.path.realpath(path) for path in {
    sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"],
    sysconfig.get_paths()["platlib"]})


def _written_by_user(func):
    """Not a function of an installed package or of the standard library:
    those are hashed by name, so that upgrading a library (whose scorer
    functions change their bytecode) does not refuse a journal."""
    filename = func.__code__.co_filename
    if filename.startswith("<frozen"):  # the standard library's frozen modules
        return False
    path = os.path.realpath(filename)
    parts = path.split(os.sep)
    return not (any(path.startswith(directory + os.sep) for directory in _LIBRARY_DIRS)
                or "site-packages" in parts or "dist-packages" in parts)


def _is_constant(value):
    if isinstance(value, tuple):
        return all(map(_is_constant, value))
    return value is None or isinstance(value, (bool, int, float, complex, str, bytes))


def _names(code):
    """The global names ``code`` and the code nested in it use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def _code_identity(code):
    """A code object without its file name and line numbers."""
    # (`x in {"a", "b"}` compiles to a frozenset constant: see save.)
    consts = tuple(_code_identity(c) if isinstance(c, types.CodeType) else c
                   for c in code.co_consts)
    return (code.co_code, consts, code.co_names, code.co_varnames, code.co_freevars,
            code.co_cellvars, code.co_argcount, code.co_posonlyargcount,
            code.co_kwonlyargcount, code.co_flags)
