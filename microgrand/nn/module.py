"""`Module`: the bookkeeping every network shares, built on ONE walker, `walk`.

A module keeps its parameters and sub-modules in attributes (Values, Modules, or lists, tuples
and dicts of them, nested as you like). `walk` finds them, depth first in the order they were
assigned, each with its path (``layers.0.neurons.1.w.0``), and every method here reads what it
found: `named_parameters`, `parameters`, `zero_grad`, `state_dict`, `load_state_dict`, `train`,
`named_modules`, `named_children` and `repr`. The names are PyTorch's: a `state_dict()` key is a
`named_parameters()` name and holds one number.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterable, Iterator
from typing import Any

from ..checks import as_float, is_ordered
from ..engine import Value

StateDict = dict[str, float]  # name -> number, as named_parameters() names them: JSON-serialisable


class Module:
    """Base class of everything with parameters, as PyTorch's ``torch.nn.Module``.

    A subclass assigns its parameters and sub-modules as attributes in
    ``__init__`` (Values, Modules, or lists, tuples and dicts of them, nested as
    you like) and defines ``forward``; calling the module calls ``forward``.
    `named_parameters()`, `state_dict()`, `train()` and `repr()` find them in
    the order they were assigned. A Value kept anywhere else (in a set, or in an
    object that is not a Module) is refused with an error naming the attribute.
    """

    training: bool = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The forward pass: each module defines its own."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward (its forward pass)")

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(name, Value) for every parameter, e.g. ``("layers.0.neurons.1.w.0", w)``.

        Depth first, in attribute order; a parameter shared by two sub-modules
        is listed once, where it first appears, as in PyTorch.
        """
        named: list[tuple[str, Value]] = []
        names: set[str] = set()
        seen: set[Value] = set()
        for name, x, _ in walk(self):
            if isinstance(x, Value):
                if name in names:  # e.g. an attribute "a.b" beside a dict a = {"b": ...}
                    raise ValueError(f"two parameters share the name {name!r}: rename one of them")
                names.add(name)
                if x not in seen:
                    seen.add(x)
                    named.append((name, x))
        return named

    def parameters(self) -> list[Value]:
        """All learnable Values, in the order of `named_parameters` (each listed once)."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (PyTorch sets it to None; a Value's grad is always a float)."""
        for p in self.parameters():
            p.grad = 0.0

    def named_modules(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for every sub-module, depth first (not self)."""
        return ((name, x) for name, x, _ in walk(self) if isinstance(x, Module))

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for the direct sub-modules (in lists, tuples and dicts too)."""
        return ((name, x) for name, x, depth in walk(self) if isinstance(x, Module) and depth == 0)

    def train(self, mode: bool = True) -> Module:
        """Set the `training` flag here and in every sub-module (Dropout reads it). Returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode) takes True or False, got {type(mode).__name__}: {mode!r}")
        self.training = mode
        for _, module in self.named_modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode, ``train(False)``: Dropout becomes the identity. Returns self."""
        return self.train(False)

    def state_dict(self) -> StateDict:
        """Each parameter's data by its `named_parameters` name, e.g.
        ``{"layers.0.neurons.0.w.0": 0.1, "layers.0.neurons.0.w.1": -0.5, "layers.0.neurons.0.b": 0.0}``.

        Plain floats, so ``json.dumps`` works on it.
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set the parameters' data from `state`, as made by `state_dict`.

        A list (or tuple, or numpy array) may stand for the parameters numbered under one name,
        as earlier versions wrote them: ``{"layers.0.neurons.0.w": [1.0, 1.0], ...}``. Everything
        is checked before anything is set: a missing or unexpected name, a wrong length or a value
        that is not a number raises a ValueError or TypeError and leaves the model unchanged
        (PyTorch's ``strict=True``).
        """
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict needs a dict (from state_dict()), got {type(state).__name__}")
        params = dict(self.named_parameters())
        numbers_by_name: dict[str, float] = {}
        unexpected: list[str] = []
        for key, value in state.items():
            _unfold(str(key), value, params, numbers_by_name, unexpected)
        missing = [name for name in params if name not in numbers_by_name]
        if missing or unexpected:
            raise ValueError(
                f"state dict does not fit this {type(self).__name__}: "
                f"missing {missing}, unexpected {unexpected}"
            )
        for name, p in params.items():
            p.data = numbers_by_name[name]

    def _prefix_labels(self, prefix: str) -> None:
        """Put `prefix` before every parameter's label: a Layer numbers its neurons, an MLP its layers."""
        for p in self.parameters():
            p.label = prefix + p.label

    def extra_repr(self) -> str:
        """The arguments shown in repr(), as PyTorch's ``extra_repr``."""
        return ""

    def __repr__(self) -> str:
        children = [f"  ({name}): " + repr(m).replace("\n", "\n  ") for name, m in self.named_children()]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n" + "\n".join(children) + "\n)"


def walk(module: Module) -> Iterator[tuple[str, Value | Module, int]]:
    """(path, Value or Module, depth) for everything `module` holds, depth first in attribute order,
    a module before what it holds; depth counts the modules in between (0: `module`'s own).

    A stack instead of recursion, as `topological_order` does: each entry is a path, the thing
    found there, and the modules it is inside; what a thing holds goes on the stack in reverse,
    so that its first attribute (or item) comes off first. A module that contains itself is an
    error (the walk would never end), and so is a Value kept where this walk cannot see it (a set,
    a deque, a plain object): an optimizer would never train it."""
    stack: list[tuple[str, object, tuple[Module, ...]]] = [("", module, ())]
    while stack:
        path, x, outer = stack.pop()
        if isinstance(x, Value):
            yield path, x, len(outer) - 1
        elif isinstance(x, Module):
            if outer:  # (the module walked is not listed: what it holds is)
                yield path, x, len(outer) - 1
            if any(x is m for m in outer):
                raise ValueError(
                    f"module cycle: {path!r} is a module that contains itself (an attribute points back "
                    f"to a module it belongs to); keep such a link out of the module's attributes"
                )
            _check_class_attributes(type(x))
            inside = (*outer, x)
            prefix = f"{path}." if path else ""
            stack += reversed([(prefix + key, attr, inside) for key, attr in vars(x).items()])
        elif isinstance(x, (list, tuple)):
            if not _only_numbers(x):  # a dataset kept beside the parameters is passed over at C speed
                stack += reversed([(f"{path}.{i}", item, outer) for i, item in enumerate(x)])
        elif isinstance(x, dict):
            stack += reversed([(f"{path}.{key}", item, outer) for key, item in x.items()])
        elif _holds_values(x):
            raise TypeError(
                f"attribute {path!r} holds Values inside a {type(x).__name__}, where parameters() cannot "
                f"find them (and an optimizer would never train them): keep Values and Modules in "
                f"attributes that are Values, Modules, or lists, tuples or dicts of them"
            )


_PLAIN = (numbers.Number, str, bytes, type(None))  # what holds no Value, looked at as a type
_NESTED = {list, tuple}


def _only_numbers(items: list[Any] | tuple[Any, ...]) -> bool:
    """True if `items` holds nothing but numbers and strings, in lists and tuples nested as deep as
    you like: a dataset. Looked at one level at a time, by the types there, in loops that run in C
    (map, set, chain), so 300,000 rows take milliseconds where a step into each row takes seconds."""
    level, kinds = items, set(map(type, items))
    while not all(issubclass(kind, _PLAIN) for kind in kinds):
        if not all(issubclass(kind, _PLAIN) or kind in _NESTED for kind in kinds):
            return False  # a Value, a Module, a dict, ...: walked item by item
        if not kinds <= _NESTED:  # rows and numbers side by side, as in (row, label) pairs: the rows
            level = list(itertools.compress(level, map(_NESTED.__contains__, map(type, level))))
        kinds = set(map(type, itertools.chain.from_iterable(level)))  # one level down
        if not all(issubclass(kind, _PLAIN) for kind in kinds):
            level = list(itertools.chain.from_iterable(level))
    return True


def _holds_values(x: object) -> bool:
    """True for a container other than list, tuple or dict (a set, a deque, a numpy array, ...)
    or a plain object, with a Value or Module inside."""
    if isinstance(x, (Value, Module)):
        return True
    if (
        isinstance(x, (*_PLAIN, Iterator, type))
        or callable(x)
        or str(getattr(x, "dtype", "object")) != "object"
    ):
        return False  # (numpy arrays of numbers have a dtype other than object: nothing to look at)
    if isinstance(x, Iterable):
        return any(_holds_values(i) for i in itertools.islice(x, 10_000))
    return hasattr(x, "__dict__") and any(isinstance(i, (Value, Module)) for i in vars(x).values())


_CLASSES_CHECKED: set[type] = {object}  # Module subclasses known to keep no Value as a class attribute


def _check_class_attributes(cls: type) -> None:
    """A Value or Module kept as a class attribute is shared by every instance and found by no walk."""
    if cls in _CLASSES_CHECKED:
        return
    for c in cls.__mro__:
        if (
            c is not Module
            and c is not object
            and any(isinstance(a, (Value, Module)) for a in vars(c).values())
        ):
            raise TypeError(
                f"{c.__name__} keeps a Value or Module as a class attribute, shared by every "
                f"instance and not found by parameters(): assign it in __init__ (self.w = Value(...))"
            )
    _CLASSES_CHECKED.add(cls)


def _unfold(
    name: str, value: object, params: dict[str, Value], out: dict[str, float], unexpected: list[str]
) -> None:
    """Put `value`, given for `name` in a state dict, into `out` as one number per parameter name.
    A list for a name that numbers parameters (``w`` for ``w.0``, ``w.1``, as this version's
    state_dict wrote them) gives one number to each, nested lists to nested names."""
    if name in params:
        if name in out:
            raise ValueError(f"state dict gives {name!r} twice (once inside a list): give it once")
        out[name] = as_float(value, f"state dict entry {name!r}")
        return
    prefix = name + "."
    count = len({p[len(prefix) :].split(".")[0] for p in params if p.startswith(prefix)})
    if count == 0:
        unexpected.append(name)
        return
    if not is_ordered(value) or len(items := list(value)) != count:  # type: ignore[call-overload]
        raise ValueError(
            f"state dict entry {name!r} stands for {count} parameters ({prefix}0, ...): give a list of "
            f"{count} numbers, or each number by its own name as state_dict() does; got {value!r}"
        )
    for i, item in enumerate(items):
        _unfold(f"{prefix}{i}", item, params, out, unexpected)
