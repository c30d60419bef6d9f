"""A JSON codec for search results that never executes code when loading.

Two encodings, each documented where it is used:

* **numbers** (scores, times, anything stored in a float array): a finite
  float is a JSON number, NaN is ``null`` and the infinities are the strings
  ``"Infinity"`` and ``"-Infinity"``; :func:`decode_number` turns all three
  back into floats. JSON itself has no NaN, and a file must stay valid JSON
  for other tools.
* **parameter values** (``params`` dicts and other object arrays): ``None``,
  booleans, integers, finite floats and strings are stored as themselves,
  lists as JSON arrays; everything else is a JSON object whose ``"type"`` key
  says what it is:

  - ``{"type": "float", "value": "NaN" | "Infinity" | "-Infinity"}``;
  - ``{"type": "tuple", "items": [...]}``, ``{"type": "dict", "items":
    {...}}`` for a dict keyed by strings and ``{"type": "dict", "pairs":
    [[key, value], ...]}`` for one keyed by other scalars or tuples (e.g.
    ``class_weight={0: 1, 1: 2}``);
  - ``{"type": "object", "class": ..., "repr": ..., "index": ...}`` for any
    other value (an estimator, a function, an array): its class name, its
    ``repr`` and, when the search space is known, its index among the
    categories of its :class:`~skhpo.Categorical` (``null`` otherwise).
    Functions and classes also get their ``"name"``. Such a value is loaded
    as a :class:`StoredValue`, an inert placeholder: it is never rebuilt.

numpy scalars become the matching Python numbers.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _non_finite_name(value):
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


class StoredValue:
    """An inert placeholder for a parameter value that JSON cannot hold.

    :func:`skhpo.load_results` returns one wherever the saved search had an
    estimator, a function or another non-JSON value. It never rebuilds the
    object, so loading a file cannot execute code; it only remembers how the
    value looked.

    Parameters
    ----------
    repr : str
        ``repr`` of the original value; it is also this object's ``repr``.
    class_name : str
        Name of the original value's class, e.g. ``"LogisticRegression"``.
    index : int or None, default=None
        Position of the value among the categories of its search dimension,
        when the search space was known.
    name : str or None, default=None
        ``__name__`` of a function or class value.

    Attributes
    ----------
    label : str
        What :func:`skhpo.results_frame` shows for the value: ``name`` when
        set, else ``class_name``.

    Examples
    --------
    >>> from skhpo.results import StoredValue
    >>> value = StoredValue("LogisticRegression(C=2)", "LogisticRegression", index=1)
    >>> value
    LogisticRegression(C=2)
    >>> value.label, value.index
    ('LogisticRegression', 1)
    """

    def __init__(self, repr, class_name, index=None, name=None):  # noqa: A002
        self.repr = repr
        self.class_name = class_name
        self.index = index
        self.name = name

    @property
    def label(self):
        return self.name if self.name is not None else self.class_name

    def _key(self):
        return (self.repr, self.class_name, self.index, self.name)

    def stands_for(self, value):
        """Whether this placeholder was saved from a value like ``value``.

        The same class and ``repr``; for a function or a class, the same
        ``__name__`` instead, since its ``repr`` holds a memory address.

        Examples
        --------
        >>> from sklearn.svm import SVC
        >>> from skhpo.results import StoredValue
        >>> StoredValue("SVC(C=2)", "SVC").stands_for(SVC(C=2))
        True
        >>> StoredValue("SVC(C=2)", "SVC").stands_for(SVC())
        False
        """
        if type(value).__name__ != self.class_name:
            return False
        if self.name is not None:
            return _object_name(value) == self.name
        return repr(value) == self.repr

    def __repr__(self):
        return self.repr

    def __eq__(self, other):
        if not isinstance(other, StoredValue):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self):
        return hash(self._key())


def value_label(value):
    """How a non-plain parameter value is shown in a DataFrame.

    An estimator (or any instance) by its class name, a function or a class
    by its ``__name__``, a :class:`StoredValue` by the label it was saved with.
    """
    if isinstance(value, StoredValue):
        return value.label
    name = _object_name(value)
    return name if name is not None else type(value).__name__


def _object_name(value):
    # Functions and classes have a meaningful __name__; instances (estimators)
    # are better described by their class.
    if isinstance(value, type) or (callable(value) and not hasattr(value, "get_params")
                                   and hasattr(value, "__name__")):
        return value.__name__
    return None


def to_python(value):
    """numpy scalars to the matching Python scalar; anything else unchanged."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.str_):
        return str(value)
    return value


def encode_number(value):
    """A float for a numeric field: NaN -> None, +-inf -> "Infinity"/"-Infinity"."""
    value = to_python(value)
    if isinstance(value, bool) or isinstance(value, numbers.Integral):
        return value
    value = float(value)
    if math.isfinite(value):
        return value
    return None if math.isnan(value) else _non_finite_name(value)


def decode_number(value):
    """Inverse of :func:`encode_number`: always a float (or int if stored so).

    Examples
    --------
    >>> from skhpo._json import decode_number, encode_number
    >>> [encode_number(v) for v in (0.5, float("nan"), float("-inf"))]
    [0.5, None, '-Infinity']
    >>> [decode_number(v) for v in (0.5, None, "-Infinity")]
    [0.5, nan, -inf]
    """
    if value is None:
        return math.nan
    if isinstance(value, str):
        try:
            return _NON_FINITE[value]
        except KeyError:
            raise ValueError(
                f"A numeric field must hold a number, null (NaN), 'Infinity' or "
                f"'-Infinity', got {value!r}. The file was edited or is not a "
                f"skhpo results document."
            ) from None
    return value


def _plain_key(key):
    """A dict key that round-trips: a JSON scalar, or a tuple of such keys."""
    key = to_python(key)
    if isinstance(key, tuple) and type(key) is tuple:
        return all(_plain_key(k) for k in key)
    return key is None or isinstance(key, (bool, str, numbers.Integral, float))


def encode_value(value, index=None):
    """Encode one parameter value (see the module docstring).

    Parameters
    ----------
    value : object
    index : callable or None
        ``index(value) -> int or None``, the categorical index of a non-JSON
        value when the search space is known.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skhpo._json import encode_value
    >>> encode_value((1, float("nan")))
    {'type': 'tuple', 'items': [1, {'type': 'float', 'value': 'NaN'}]}
    >>> encode_value(LogisticRegression(C=2))
    {'type': 'object', 'class': 'LogisticRegression', 'repr': 'LogisticRegression(C=2)', 'index': None}
    """
    value = to_python(value)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"type": "float", "value": _non_finite_name(value)}
    if isinstance(value, list):
        return [encode_value(v, index) for v in value]
    if isinstance(value, tuple) and type(value) is tuple:
        return {"type": "tuple", "items": [encode_value(v, index) for v in value]}
    if type(value) is dict and all(isinstance(k, str) for k in value):
        return {"type": "dict",
                "items": {k: encode_value(v, index) for k, v in value.items()}}
    if type(value) is dict and all(_plain_key(k) for k in value):
        # JSON keys are strings: other keys (class_weight's class labels)
        # go as (key, value) pairs.
        return {"type": "dict", "pairs": [[encode_value(k), encode_value(v, index)]
                                          for k, v in value.items()]}
    if isinstance(value, StoredValue):
        # Saving loaded results again: keep what was stored.
        class_name, text = value.class_name, value.repr
        position, name = value.index, value.name
    else:
        class_name, text, name = type(value).__name__, repr(value), _object_name(value)
        position = index(value) if index is not None else None
    out = {"type": "object", "class": class_name, "repr": text, "index": position}
    if name is not None:
        out["name"] = name
    return out


def decode_value(data):
    """Inverse of :func:`encode_value`; objects come back as :class:`StoredValue`.

    Examples
    --------
    >>> from skhpo._json import decode_value
    >>> decode_value({"type": "tuple", "items": [1, 2]})
    (1, 2)
    >>> decode_value({"type": "object", "class": "SVC", "repr": "SVC()", "index": 0})
    SVC()
    """
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode_value(v) for v in data]
    if isinstance(data, dict):
        kind = data.get("type")
        if kind == "float":
            return decode_number(data.get("value"))
        if kind == "tuple":
            return tuple(decode_value(v) for v in data["items"])
        if kind == "dict" and "pairs" in data:
            return {decode_value(k): decode_value(v) for k, v in data["pairs"]}
        if kind == "dict":
            return {k: decode_value(v) for k, v in data["items"].items()}
        if kind == "object":
            return StoredValue(str(data["repr"]), str(data["class"]),
                               index=data.get("index"), name=data.get("name"))
    raise ValueError(
        f"Cannot decode the stored value {data!r}: a parameter value must be a "
        f"JSON scalar, a list, or an object with a 'type' of 'float', 'tuple', "
        f"'dict' or 'object'. The file was edited or is not a skhpo results "
        f"document."
    )
