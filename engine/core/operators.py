"""The condition operators: one entry per operator, read by every stage.

An entry says which fact types the operator accepts, how its operand is checked and coerced when a
pack loads, how it compiles into a closure, how `explain` words it, and whether an unstated fact
makes it unknown. A new operator is one `Operator(...)` here plus its key in the rule schema
(`engine/schemas/rule.schema.json`); a test holds the two to the same names.

Closures answer True, False or None (unknown: the fact is not stated), by Kleene logic. A negated
leaf (`not: {fact: F, OP: X}`) compiles into one closure: `negated` is `not (...)`, never the
converse operator, so unknown stays unknown. Equality is JSON's: true is not 1 (Python's
`True == 1` would make them equal).
"""

from __future__ import annotations

import operator as op
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..files.values import ORDERED_TYPES, Misfit, check_item, fit, ordered, show
from .model import FACT_TYPES, Fact, Value
from .present import render

Values = Mapping[str, Value]
Truth = bool | None
Test = Callable[[Values], Truth]
Check = Callable[[Fact, Any], Any]
Build = Callable[[str, Any, bool], Test]
ValueTest = Callable[[Any], bool]


class Misfits(Exception):
    """Several operand items do not fit (each is reported, at its item)."""

    def __init__(self, misfits: list[Misfit]) -> None:
        super().__init__("; ".join(m.message for m in misfits))
        self.misfits = misfits


@dataclass(frozen=True)
class Operator:
    """One condition operator. Every part up to `names` is required: an entry missing one fails at import."""

    name: str                      # the key in a rule's condition ('is_true' is the bare `{fact: F}` form)
    types: frozenset[str]          # the fact types it accepts
    unfit: Callable[[Fact], str]   # the message when a fact of another type is tested
    check: Check                   # checks and coerces the operand (raises Misfit or Misfits)
    build: Build                   # (fact, operand, negated) -> closure
    words: Callable[[Any], str]    # how `explain` says the test, given the operand
    names: Callable[[Any], tuple[Any, ...]]  # the values the operand names: where the test's truth can change,
    #                                          so the bounds analysis splits a fact's values there
    reads_value: bool = True       # False: the test is about being stated, so it is never unknown
    synonyms: tuple[str, ...] = ()  # names an analyst may reach for instead: the did-you-mean of a wrong key
    # operand -> its test of a stated value, which `build` wraps; None: the operator has only `build`.
    # An `all`/`any` calls the tests of its leaves in one loop of its own rather than a closure per leaf.
    test: Callable[[Any], ValueTest] | None = None
    inverse: bool = False          # the leaf is the negation of the test (`not_equals`, `none_of`)

    def __post_init__(self) -> None:
        for part in ("unfit", "check", "build", "words", "names"):
            if not callable(getattr(self, part)):
                raise TypeError(f"operator '{self.name}': '{part}' must be a function")
        if not self.types or not self.types <= set(FACT_TYPES):
            raise TypeError(f"operator '{self.name}': types must be fact types, got {sorted(self.types)}")

    def compile(self, fact: str, operand: Any, negated: bool = False) -> Test:
        return self.build(fact, operand, negated)


# --- closures ----------------------------------------------------------------------------------
# A value operator is defined by its test of a stated value (`test(operand)`); the leaf's closure adds
# "unknown when unstated" and the negation. `not_equals` and `none_of` are the inverses of `equals` and
# `one_of` (JSON equality either way), so they share their tests. A test answers a bool, never None.

def _known(name: str, operand: Any, negated: bool) -> Test:
    if bool(operand) is not negated:
        return lambda values: name in values
    return lambda values: name not in values


def _reading(test: Callable[[Any], ValueTest], inverse: bool) -> Build:
    """The leaf closure of a value operator: None when the fact is unstated, else the test (negated
    when exactly one of `negated` and `inverse` holds)."""

    def build(name: str, operand: Any, negated: bool) -> Test:
        holds = test(operand)
        if negated is not inverse:
            return lambda values: None if (v := values.get(name)) is None else not holds(v)
        return lambda values: None if (v := values.get(name)) is None else holds(v)
    return build


# Where a test is one comparison with the operand, it is the C function itself, bound to the operand
# (`partial(op.le, x)(v)` is `x <= v`, the same as `v >= x` for numbers, dates and strings): an `all`
# or `any` then calls no Python code for the leaf.

def _is_true(operand: Any) -> ValueTest:
    return _IS_TRUE


_IS_TRUE = partial(op.is_, True)


def _equals(operand: Any) -> ValueTest:
    """JSON equality, in which true and 1 differ."""
    if isinstance(operand, bool):  # only a boolean equals a boolean, and True, False are singletons
        return partial(op.is_, operand)
    if isinstance(operand, (int, float)):  # a number never equals a boolean, though 1 == True in Python
        return lambda v: type(v) is not bool and v == operand
    return partial(op.eq, operand)  # a string or a date: no boolean equals it, so Python's equality is JSON's


def _one_of(operand: Any) -> ValueTest:
    """Membership with the equality of `equals`. The operand's items all have the fact's type (checked
    at load), so one kind of comparison serves the whole list."""
    items = frozenset(operand)
    if all(isinstance(item, bool) for item in operand):
        return lambda v: type(v) is bool and v in items
    if all(isinstance(item, (int, float)) for item in operand):
        return lambda v: type(v) is not bool and v in items
    return items.__contains__  # strings or dates: no boolean equals one


def _at_least(operand: Any) -> ValueTest:
    return partial(op.le, operand)


def _at_most(operand: Any) -> ValueTest:
    return partial(op.ge, operand)


def _above(operand: Any) -> ValueTest:
    return partial(op.lt, operand)


def _below(operand: Any) -> ValueTest:
    return partial(op.gt, operand)


def _between(operand: Any) -> ValueTest:
    low, high = operand
    return lambda v: low <= v <= high


def _contains(operand: Any) -> ValueTest:
    return lambda v: operand in v


# --- operand checks ----------------------------------------------------------------------------

def _check_known(fact: Fact, raw: Any) -> Any:
    return raw


def _check_is_true(fact: Fact, raw: Any) -> Any:
    return None


def _check_value(fact: Fact, raw: Any) -> Value:
    return fit(fact, raw, bounds=False)


def _check_items(fact: Fact, raw: Any) -> tuple[Value, ...]:
    items, misfits = [], []
    for index, item in enumerate(raw):
        try:
            items.append(fit(fact, item, bounds=False))
        except Misfit as misfit:
            misfits.append(Misfit(misfit.code, misfit.message, index))
    if misfits:
        raise Misfits(misfits)
    return tuple(items)


def _check_bound(name: str) -> Check:
    return lambda fact, raw: ordered(fact, raw, f"'{name}'")


def _check_between(fact: Fact, raw: Any) -> tuple[Any, Any]:
    bounds: list[Any] = []
    for index, bound in enumerate(raw):
        try:
            bounds.append(ordered(fact, bound, "'between'"))
        except Misfit as misfit:
            raise Misfit(misfit.code, misfit.message, index) from None
    low, high = bounds
    if low > high:
        raise Misfit("value", f"'between' needs [low, high]; {show(raw[0])} is above {show(raw[1])}")
    return (low, high)


def _check_contains(fact: Fact, raw: Any) -> str:
    return check_item(fact, raw)


# --- the values an operand names ---------------------------------------------------------------

def _nothing(operand: Any) -> tuple[Any, ...]:
    """The leaf reads no value (a boolean's truth, or only whether the fact is stated)."""
    return ()


def _the_operand(operand: Any) -> tuple[Any, ...]:
    return (operand,)


def _the_items(operand: Any) -> tuple[Any, ...]:
    return tuple(operand)


# --- wording -----------------------------------------------------------------------------------

def _operand_text(operand: Any) -> str:
    if isinstance(operand, tuple):
        return "[" + ", ".join(render(item) for item in operand) + "]"
    return render(operand)


def _says(name: str) -> Callable[[Any], str]:
    return lambda operand: f"{name} {_operand_text(operand)}"


def _unfit_ordered(name: str) -> Callable[[Fact], str]:
    return lambda fact: f"'{name}' compares numbers or dates; '{fact.name}' is {fact.type}"


def _unfit_scalar(name: str) -> Callable[[Fact], str]:
    return lambda fact: f"'{name}' does not apply to list fact '{fact.name}'; use contains"


def _unfit_contains(fact: Fact) -> str:
    return f"'contains' tests a list fact; '{fact.name}' is {fact.type}" + (
        "; use equals" if fact.type != "boolean" else "")


def _unfit_is_true(fact: Fact) -> str:
    return (f"'{{fact: {fact.name}}}' alone tests a boolean, but '{fact.name}' is {fact.type}; "
            "add an operator such as equals or at_least")


def _unfit_never(fact: Fact) -> str:
    raise AssertionError("'known' accepts every fact type")


_SCALAR = frozenset(FACT_TYPES) - {"list"}
_ORDERED = frozenset(ORDERED_TYPES)


def _value_operator(name: str, types: frozenset[str], unfit: Callable[[Fact], str], check: Check,
                    test: Callable[[Any], ValueTest], names: Callable[[Any], tuple[Any, ...]],
                    synonyms: tuple[str, ...], inverse: bool = False) -> Operator:
    return Operator(name, types, unfit, check, _reading(test, inverse), _says(name), names, synonyms=synonyms,
                    test=test, inverse=inverse)


def _ordered_operator(name: str, test: Callable[[Any], ValueTest], synonyms: tuple[str, ...]) -> Operator:
    return _value_operator(name, _ORDERED, _unfit_ordered(name), _check_bound(name), test, _the_operand, synonyms)


def _scalar_operator(name: str, check: Check, test: Callable[[Any], ValueTest],
                     names: Callable[[Any], tuple[Any, ...]], synonyms: tuple[str, ...],
                     inverse: bool = False) -> Operator:
    return _value_operator(name, _SCALAR, _unfit_scalar(name), check, test, names, synonyms, inverse)


OPERATORS: dict[str, Operator] = {entry.name: entry for entry in (
    Operator("is_true", frozenset({"boolean"}), _unfit_is_true, _check_is_true, _reading(_is_true, False),
             lambda _: "is true", _nothing, test=_is_true),
    _scalar_operator("equals", _check_value, _equals, _the_operand, ("eq", "is", "equal")),
    _scalar_operator("not_equals", _check_value, _equals, _the_operand, ("ne",), inverse=True),
    _ordered_operator("at_least", _at_least, ("min", "gte", "ge")),
    _ordered_operator("at_most", _at_most, ("max", "lte", "le")),
    _ordered_operator("above", _above, ("greater", "greater_than", "gt", "more_than", "over")),
    _ordered_operator("below", _below, ("less", "less_than", "lt", "under")),
    _value_operator("between", _ORDERED, _unfit_ordered("between"), _check_between, _between, _the_items,
                    ("range",)),
    _scalar_operator("one_of", _check_items, _one_of, _the_items, ("in",)),
    _scalar_operator("none_of", _check_items, _one_of, _the_items, ("not_in",), inverse=True),
    _value_operator("contains", frozenset({"list"}), _unfit_contains, _check_contains, _contains, _the_operand,
                    ("has", "includes")),
    Operator("known", frozenset(FACT_TYPES), _unfit_never, _check_known, _known,
             lambda operand: "is stated" if operand else "is not stated", _nothing, reads_value=False,
             synonyms=("exists",)),
)}
BARE = OPERATORS["is_true"]  # `{fact: F}` with no operator key
KEYED = {name: entry for name, entry in OPERATORS.items() if entry is not BARE}  # the keys a condition may use
COMBINATORS = ("all", "any", "not")
# A name an analyst may write for an operator or a combinator -> the key that does it (for did-you-mean).
SYNONYMS: dict[str, str] = {**{synonym: entry.name for entry in KEYED.values() for synonym in entry.synonyms},
                            "and": "all", "or": "any"}
