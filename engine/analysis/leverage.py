"""What stating, or changing, facts could do to the score, exactly (contract section 7): bounds, gaps,
counterfactuals; and, through `sensitivity`, the weights.

A rule's points depend only on the facts it reads, and its confidence and decay do not depend on what a
hypothetical statement says (such a statement counts confidence 1 and decay 1, and a rule's confidence and
decay are the least over its evidence, which starts at 1), so each figure is a search over the values of
the facts that vary, and only finitely many of those values matter:

- every leaf splits its fact's values into a few classes (each operator's `names` in the registry says which values each
  operator names; the fact's type says how a named value splits its domain); a degree ramp's ends split
  it too, and between the splits every condition is constant and every degree linear, so the points of
  the rules are linear there and their extremes sit at the ends of each piece. For a number the ends of an
  open piece are limits: a `Probe` then evaluates the conditions at a value inside the piece and the degree
  at its end (the infimum or supremum the contract asks for);
- probes that no leaf and no degree tells apart are merged;
- rules fall into groups connected by the varying facts their outcome can still depend on (a part of a
  condition that the stated facts already decide does not connect anything), and each group is searched
  on its own by variable elimination (max-sum over the rules' tables), the groups' extremes adding up.

For one fact at a time (gaps, counterfactuals) the pack's structure is kept per fact: a boolean, string,
integer or date fact has a table of the values its readers tell apart, split into classes by the outcomes
of their leaves, so that a case evaluates each rule's condition once per outcome instead of per value; a
list fact's probes are numbered subsets, and a condition becomes a set of those numbers (bits). Both give
the figures `_reach` gives from the probes themselves; where the order in which `_reach` meets the figures
could decide which points come with them (bounds add the points of several facts up), `_reach` decides. A
private fact (every rule reading it reads it alone) keeps more: for its counterfactual a `_Plan` (its
readers' degrees over its values, only the patterns that can give the least or greatest figure), for its gap
its readers' vectors of points ranked by their exact sums (`_ranked`), so that a case adds only its own sum.

Every figure is then recomputed exactly for the values that reach it, in the arithmetic of `weigh`
(the points of the rules the values change, added to an exact expansion of the case's own sum), so a figure
equals the score those values give, to the last bit. Where a group would need more than `LIMIT`
combinations, its part is each rule's own extreme instead: the figure is then an outer bound, and
`Leverage.limits` says so, naming the facts.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from ..core.compile import CompiledPack, Measure, compile_condition
from ..core.evaluate import Evidence, Weighing, in_use, weigh
from ..core.model import AnyOf, Case, Condition, Fact, Leaf, Not, Value, leaves
from ..core.operators import OPERATORS, Test, Truth
from .sensitivity import Interval, clamped, partials, weight_interval

LIMIT = 200_000  # combinations one group may need before its figure becomes an outer bound

__all__ = ["LIMIT", "Interval", "Lever", "Leverage", "bounds", "counterfactuals", "gaps", "leverage"]


@dataclass(frozen=True)
class Lever:
    """One fact's reach: the least and greatest score it allows, and the bands that range reaches into."""

    fact: str
    low: float
    high: float
    bands: tuple[str, ...]


@dataclass(frozen=True)
class Leverage:
    bounds: Interval
    gaps: tuple[Lever, ...]
    counterfactuals: tuple[Lever, ...]
    sensitivity: Interval
    limits: tuple[str, ...]  # one message per figure that is an outer bound rather than exact


def bounds(compiled: CompiledPack, case: Case, as_of: dt.date | None = None) -> Interval:
    """Least and greatest score over every hypothetical statement of any of the facts the case leaves unstated."""
    return _Analysis(compiled, weigh(case, compiled, as_of), case).bounds()


def gaps(compiled: CompiledPack, case: Case, as_of: dt.date | None = None) -> tuple[Lever, ...]:
    """For each unstated fact some rule reads: the scores it allows alone (those that move the score)."""
    return _Analysis(compiled, weigh(case, compiled, as_of), case).gaps()


def counterfactuals(compiled: CompiledPack, case: Case, as_of: dt.date | None = None) -> tuple[Lever, ...]:
    """For each stated fact some rule reads: the scores any other value, or its removal, allows."""
    return _Analysis(compiled, weigh(case, compiled, as_of), case).counterfactuals()


def leverage(compiled: CompiledPack, case: Case, as_of: dt.date | None = None,
             weighing: Weighing | None = None) -> Leverage:
    """Bounds, gaps, counterfactuals and the weight sensitivity of one case, weighing it once (or not at all,
    given the case's `weighing` at `as_of`)."""
    if weighing is None:
        weighing = weigh(case, compiled, as_of)
    analysis = _Analysis(compiled, weighing, case)
    found_bounds, found_gaps = analysis.bounds(), analysis.gaps()
    found_counterfactuals = analysis.counterfactuals()
    return Leverage(found_bounds, found_gaps, found_counterfactuals, weight_interval(compiled, weighing),
                    tuple(analysis.limits))


# --- the values of one fact that matter, by type ---------------------------------------------------------

@dataclass(slots=True)  # not frozen: made by the hundred per case, and making a frozen one costs twice as much
class Probe:
    """A hypothetical value: `test` is what the conditions see, `measure` what a degree sees. They differ only
    for an open piece of a number's domain, where `measure` is the piece's end (a limit, not attained)."""

    test: Value
    measure: Value


class _TooMany(Exception):
    """A fact's values split into more classes than `LIMIT`."""


Named = Sequence[Any]
Current = Value | None  # the value a counterfactual must differ from; None: any value will do


def _whole_probes(fact: Fact, named: Named, current: Current) -> list[Probe]:
    """Whole numbers, and dates as whole numbers of days (within the dates Python can represent): each named
    value, the nearest whole numbers on each side of it, and the bounds."""
    low, high, fallback = _whole_range(fact)
    numbers = _around([_as_whole(v) for v in named], low, high, _as_whole(current), fallback)
    return [Probe(v, v) for v in (_from_whole(fact, number) for number in numbers)]


def _whole_range(fact: Fact) -> tuple[int | None, int | None, int]:
    """An integer or date fact's least and greatest value as whole numbers (`_as_whole`; None: no bound), and the
    one that stands for all where nothing compares the fact."""
    if fact.type == "date":
        return 1, dt.date.max.toordinal(), _SOME_DAY.toordinal()
    return None if fact.min is None else math.ceil(fact.min), None if fact.max is None else math.floor(fact.max), 0


def _as_whole(value: Any) -> Any:
    """A date as its ordinal; any other value as it is."""
    return value.toordinal() if isinstance(value, dt.date) else value


def _from_whole(fact: Fact, number: int) -> Value:
    """The value of an integer or date fact that `_as_whole` gives as `number`."""
    return dt.date.fromordinal(number) if fact.type == "date" else number


def _near(named: Named) -> set[int]:
    """The named values' neighbours: the nearest whole numbers on each side of each, and each that is whole."""
    found: set[int] = set()
    for point in named:
        found.update((math.ceil(point) - 1, math.floor(point) + 1))
        if point == math.floor(point):
            found.add(int(point))
    return found


def _around(named: Named, low: int | None, high: int | None, current: Any, fallback: int) -> list[int]:
    """Whole numbers that matter between `low` and `high`: a run of numbers no named value splits has its
    extremes at its ends, which are the named values' neighbours, the bounds, and the current value's."""
    found: set[int] = {x for x in (low, high) if x is not None} | _near(named)
    if current is not None:
        found.update((current - 1, current + 1))
    if not found:
        found.add(fallback)  # nothing compares it: one value stands for all
    return sorted(x for x in found if _within(x, low, high) and x != current)


def _within(x: int, low: int | None, high: int | None) -> bool:
    """Whether whole number `x` lies between the bounds (None: no bound)."""
    return (low is None or x >= low) and (high is None or x <= high)


_SOME_DAY = dt.date(2000, 1, 1)


def _number_probes(fact: Fact, named: Named, current: Current) -> list[Probe]:
    """Numbers: each named value and bound; for each open piece between them, its two ends as limits (the
    conditions tested inside it); below the least and above the greatest, one value (nothing changes there)."""
    low, high = fact.min, fact.max
    points = {float(p) for p in named if (low is None or p >= low) and (high is None or p <= high)}
    points.update(float(b) for b in (low, high) if b is not None)
    if isinstance(current, (int, float)):
        points.add(float(current))
    ordered = sorted(points)
    probes = [Probe(p, p) for p in ordered if p != current]
    for left, right in itertools.pairwise(ordered):
        inside = left / 2 + right / 2  # halves: never overflows
        if left < inside < right:  # else no number lies strictly between them
            probes += [Probe(inside, left), Probe(inside, right)]
    if not ordered:
        return [Probe(0.0, 0.0)]  # nothing compares it: one value stands for all
    outside = [ordered[0] - max(1.0, abs(ordered[0])) if low is None else None,
               ordered[-1] + max(1.0, abs(ordered[-1])) if high is None else None]
    probes += [Probe(x, x) for x in outside if x is not None and math.isfinite(x)]
    return probes


def _boolean_probes(fact: Fact, named: Named, current: Current) -> list[Probe]:
    return [Probe(b, b) for b in (False, True) if b is not current]


def _fresh(taken: Iterable[Any]) -> str:
    """A text none of `taken` is: it stands for every value no rule names."""
    used = set(taken)
    text = ""
    while text in used:
        text += "?"
    return text


def _string_probes(fact: Fact, named: Named, current: Current) -> list[Probe]:
    """Each allowed value if the fact declares them; else each named one and one that no rule names."""
    if fact.values is not None:
        options = list(fact.values)
    else:
        words = sorted({w for w in named if isinstance(w, str)})
        options = [*words, _fresh([*words, current])]
    return [Probe(s, s) for s in options if s != current]


def _list_probes(fact: Fact, named: Named, current: Current) -> list[Probe]:
    """One list for each set of the named items it may hold (only `contains` reads a list), other than the
    current value: the set itself, else with an item no rule names, else in another order."""
    items = sorted({i for i in named if isinstance(i, str)})
    if 2 ** len(items) > LIMIT:
        raise _TooMany
    spare = _spare_item(fact, items)
    probes = []
    for size in range(len(items) + 1):
        for chosen in itertools.combinations(items, size):
            options = [chosen, (*chosen, spare) if spare is not None else None,
                       tuple(reversed(chosen)) if size >= 2 else None]
            found = next((o for o in options if o is not None and o != current), None)
            if found is not None:
                probes.append(Probe(found, found))
    return probes


def _spare_item(fact: Fact, items: list[str]) -> str | None:
    """An item no rule names, for `_list_probes` to add to a set (None: the fact allows none)."""
    if fact.values is None:
        return _fresh(items)
    return next((v for v in fact.values if v not in items), None)


_PROBES: dict[str, Callable[[Fact, Named, Current], list[Probe]]] = {
    "boolean": _boolean_probes,
    "integer": _whole_probes,
    "number": _number_probes,
    "string": _string_probes,
    "date": _whole_probes,
    "list": _list_probes,
}


# --- the pack's structure, once per compiled pack --------------------------------------------------------

@dataclass(frozen=True)
class _Reader:
    """One rule reading one fact: the closures of its leaves on the fact, the values they and its degree
    name, whether one of them is `known:` (then stating the fact always matters), and whether its degree
    reads the fact."""

    position: int
    leaves: tuple[Test, ...]
    named: tuple[Any, ...]
    known: bool
    ramp: bool
    when: Test               # the rule's condition
    measure: Measure | None  # its degree
    base: float              # the first factors of its points


@dataclass(frozen=True)
class _Class:
    """Values of a fact that no leaf on it tells apart."""

    ids: tuple[int, ...]        # for each reader of the fact, the id of its leaves' outcome on these values
    members: tuple[int, ...]    # the values (their places in `_Table.values`)


@dataclass(frozen=True)
class _Table:
    """The values `_PROBES` gives for a boolean, string, integer or date fact with what every rule reading it
    names (and no current value), in classes; for each reader, each outcome of its leaves (an id), a value
    with that outcome, and its degree at each value (None: no degree reads the fact). These values split the
    domain at least as finely as those `_PROBES` gives for any of the rules, so every outcome of the leaves
    that an allowed value gives is among them, and each piece of the domain on which a degree runs straight
    has its ends among them (and, for a current value, next to it: `_extras`).

    A number has a table too, of the test values of its probes, but only as a memo of the outcomes and degrees
    at those values for `_reach_vectors` (its classes are not used: a number's values are not all there), with
    its values ascending, and their places, to find one inside a piece of the domain."""

    values: tuple[Value, ...]
    places: dict[Value, int]                              # value -> its place in `values`
    outcomes: tuple[dict[tuple[Truth, ...], int], ...]
    examples: tuple[list[Value], ...]
    ids: tuple[tuple[int, ...], ...]                      # per reader, per value: the id of its outcome
    degrees: tuple[tuple[float | None, ...] | None, ...]
    classes: tuple[_Class, ...]
    ascending: tuple[float, ...]                          # a number's values, ascending (else none)
    ranks: tuple[int, ...]                                # and their places
    # an integer's or date's: per reader, the places of the values `_around` adds for what it names (within the
    # bounds), and those of the bounds
    near: tuple[frozenset[int], ...]
    edges: frozenset[int]


@dataclass(frozen=True)
class _Index:
    readers: dict[str, tuple[_Reader, ...]]  # fact -> the rules reading it, in pack order
    closures: dict[int, Test]                # id(leaf) -> the leaf's compiled closure
    tables: dict[str, _Table]                # fact -> its table, made on first use (see `_table`)
    starts: tuple[float, ...]                # the pack's bands (they ascend): where each starts
    labels: tuple[str, ...]                  # and its label
    # The facts that every rule reading them reads alone. Unstated, such a fact's readers have confidence and
    # decay 1 and their conditions see no other fact, so what `_Analysis._alone` finds for it (the vectors
    # of its readers' points, in the order met and `_ranked`; None: too many values) depends on the pack alone:
    # made on first use and kept, with `_reach`'s order (`probed`) where that decides.
    private: frozenset[str]
    alone: dict[str, _Found]
    probed: dict[str, list[tuple[float, ...]]]
    plans: dict[str, _Plan | None]           # fact -> its plan (`_plan`), made on first use
    # Groups of several (unstated) facts whose readers read no other fact: the case's values and evidence do not
    # enter their rules' points (confidence and decay 1), so `_Analysis.extremes` of such a group depends on
    # the pack alone: kept (by `LIMIT` and the facts), made on first use (None: the group is not closed).
    closed: dict[tuple[int | str, ...], _Extremes | None]
    unstated: dict[str, dict[int, frozenset[str]]]  # private fact -> `depends` of its rules, it unstated
    solos: dict[str, _Group | None]          # private fact -> its group in `groups` (None: none), it unstated
    lone: frozenset[int]                     # the positions of the rules reading a private fact
    positions: dict[int, int]                # id(compiled rule) -> its position
    names: tuple[str, ...]                   # the facts some rule reads, in order


_TABLED = frozenset({"boolean", "string", "integer", "date"})
_WHOLE = frozenset({"integer", "date"})


def _table(index: _Index, fact: Fact) -> _Table:
    """The fact's table, made on first use and kept in the pack's index."""
    found = index.tables.get(fact.name)
    if found is None:
        readers = index.readers[fact.name]
        # a number's probes test each value inside a piece twice (for each end's degree): once is enough here
        values = list(dict.fromkeys(
            probe.test for probe in _PROBES[fact.type](fact, [v for r in readers for v in r.named], None)))
        outcomes: list[dict[tuple[Truth, ...], int]] = [{} for _ in readers]
        examples: list[list[Value]] = [[] for _ in readers]
        classes: dict[tuple[int, ...], list[int]] = {}
        classes_of = []  # per value, the ids of its outcomes
        for place, value in enumerate(values):
            found_ids = []
            for reader, seen, example in zip(readers, outcomes, examples, strict=True):
                outcome = tuple([leaf({fact.name: value}) for leaf in reader.leaves])
                if outcome not in seen:
                    seen[outcome] = len(example)
                    example.append(value)
                found_ids.append(seen[outcome])
            classes.setdefault(tuple(found_ids), []).append(place)
            classes_of.append(tuple(found_ids))
        degrees = tuple(tuple(reader.measure({fact.name: v}) for v in values)
                        if reader.ramp and reader.measure is not None else None for reader in readers)
        ids = tuple(zip(*classes_of, strict=True)) if values else tuple(() for _ in readers)
        ranks = sorted(range(len(values)), key=values.__getitem__) if fact.type == "number" else []
        places = {v: place for place, v in enumerate(values)}
        near: tuple[frozenset[int], ...] = ()
        edges: frozenset[int] = frozenset()
        if fact.type in _WHOLE:
            low, high = _whole_range(fact)[:2]

            def held(numbers: Iterable[int]) -> frozenset[int]:
                return frozenset(places[_from_whole(fact, x)] for x in numbers
                                 if _within(x, low, high))
            near = tuple(held(_near([_as_whole(v) for v in reader.named])) for reader in readers)
            edges = held(x for x in (low, high) if x is not None)
        found = index.tables[fact.name] = _Table(
            tuple(values), places, tuple(outcomes), tuple(examples),
            ids, degrees, tuple(_Class(key, tuple(m)) for key, m in classes.items()),
            tuple(cast(float, values[place]) for place in ranks), tuple(ranks), near, edges)
    return found


def _whole_values(fact: Fact, table: _Table, live: list[tuple[_Reader, bool]], indexes: list[int],
                  current: Current) -> tuple[list[Value], list[int | None]]:
    """The test values of `_whole_probes` for what the live readers (at `indexes` among the fact's) name, in order,
    and their places in the fact's table (None: not there), from the places of what `_around` adds for each
    reader (`_Table.near`): all of them are in the table, and only the current value's neighbours (or the value
    that stands for all) may not be."""
    low, high, fallback = _whole_range(fact)
    chosen = set(table.edges.union(*[table.near[i] for i in indexes]))
    others: list[int] = []
    if current is not None:
        number = _as_whole(current)
        others = [x for x in (number - 1, number + 1) if _within(x, low, high)]
    elif low is None and high is None and not any(reader.named for reader, _ in live):
        others = [fallback]  # nothing compares it: one value stands for all
    extra = []
    for x in others:
        value = _from_whole(fact, x)
        place = table.places.get(value)
        if place is None:
            extra.append(value)
        else:
            chosen.add(place)
    if current is not None:
        chosen.discard(cast(int, table.places.get(current)))
    ordered = sorted(chosen)  # the table's values ascend
    tests = [table.values[place] for place in ordered]
    places: list[int | None] = list(ordered)
    for value in extra:
        at = bisect.bisect_left(tests, value)
        tests.insert(at, value)
        places.insert(at, None)
    return tests, places


@dataclass(frozen=True)
class _Plan:
    """What a counterfactual of a private fact (`_Index.private`) needs: the values `_PROBES` gives with no
    current value (a test value each, with the readers' degrees there: 1.0 without a degree, 0.0 where the
    condition does not hold, which gives the same points; for a list, see `_list_plan_values`), and the
    readers' points once the fact is removed (confidence and decay 1: no other fact is their evidence). For a
    number, also the values that split its domain (ascending) and whether there are values below and above them
    (`_number_extras`).

    With a current value, `_PROBES` gives the same values less the current one, and a few next to it
    (`_Analysis._planned`). A counterfactual is the least and the greatest figure over them, so only the
    patterns of degrees count, not the order they come in: each pattern at two values (leaving one out
    leaves another). For one reader, whose points (and figure) are monotone in its degree (a condition that
    does not hold counts as degree 0), only the two values of least and the two of greatest degree, and for each
    of those values as the current one, the least and greatest degree of the others (`others`; `whole`: of all)."""

    positions: tuple[int, ...]
    values: tuple[tuple[Value | None, tuple[float, ...]], ...]  # None: a value no current one can leave out
    removed: tuple[float, ...]
    points: tuple[float, ...]
    outside: tuple[bool, bool]
    nearby: bool  # whether `_extras` may add values next to a current one (a number's: `_number_extras`)
    others: dict[Value, tuple[float, float] | None]  # one reader: value -> (least, greatest) degree of the others
    whole: tuple[float, float] | None                 # one reader: those of all the values


def _plan(index: _Index, compiled: CompiledPack, fact: Fact) -> _Plan | None:
    """The fact's plan, made on first use and kept in the pack's index; None where it has none (not private,
    or a list of more than `LIMIT` probes)."""
    if fact.name in index.plans:
        return index.plans[fact.name]
    readers = index.readers[fact.name]
    found = None
    named = [v for reader in readers for v in reader.named]
    values = None
    if fact.name in index.private:
        values = _plan_values(fact, named, readers) if fact.type != "list" else _list_plan_values(
            index, compiled, fact, readers)
    if values is not None:
        if len(readers) == 1:
            values.sort(key=lambda entry: entry[1][0])
            values = values[:2] + values[2:][-2:]
        else:
            values = _candidates(values, [compiled.rules[reader.position].base for reader in readers])
        total = compiled.total_weight
        removed = []
        for reader in readers:
            item = compiled.rules[reader.position]
            degree = None if not reader.when({}) else 1.0 if item.degree is None else item.degree({})
            removed.append(0.0 if degree is None else item.base * degree * 1.0 * 1.0 / total + 0.0)
        points: list[float] = []
        outside = (False, False)
        if fact.type == "number":
            low, high = fact.min, fact.max
            points = sorted({float(p) for p in named if (low is None or p >= low) and (high is None or p <= high)}
                            | {float(b) for b in (low, high) if b is not None})
            if points:
                outside = (low is None and math.isfinite(points[0] - max(1.0, abs(points[0]))),
                           high is None and math.isfinite(points[-1] + max(1.0, abs(points[-1]))))
        others: dict[Value, tuple[float, float] | None] = {}
        if len(readers) == 1:
            for value, _ in values:
                if value is not None:
                    rest = [degree for other, (degree,) in values if other != value]
                    others[value] = (min(rest), max(rest)) if rest else None
        found = _Plan(tuple(reader.position for reader in readers), tuple(values), tuple(removed), tuple(points),
                      outside, fact.type in ("integer", "date") or (fact.type == "string" and fact.values is None),
                      others, (values[0][1][0], values[-1][1][0]) if len(readers) == 1 and values else None)
    index.plans[fact.name] = found
    return found


PlanValues = list[tuple[Value | None, tuple[float, ...]]]


def _plan_values(fact: Fact, named: Named, readers: tuple[_Reader, ...]) -> PlanValues:
    """`_Plan.values` of a private fact other than a list: the test value of each of `_PROBES`, with its pattern
    of degrees (`_pattern`), at most two of each pattern."""
    counts: dict[tuple[float, ...], int] = {}
    values: PlanValues = []
    for probe in _PROBES[fact.type](fact, named, None):
        pattern = _pattern(readers, {fact.name: probe.test}, {fact.name: probe.measure})
        if counts.setdefault(pattern, 0) < 2:
            counts[pattern] += 1
            values.append((probe.test, pattern))
    return values


def _list_plan_values(index: _Index, compiled: CompiledPack, fact: Fact,
                      readers: tuple[_Reader, ...]) -> PlanValues | None:
    """`_Plan.values` of a private list fact, without listing its probes (None: more than `LIMIT`): the classes of
    the probes of `_list_probes` that no reader's condition tells apart (bits, as in `_Analysis._list_vectors`),
    two probes of each (one where it has no other). A probe's value is the set it is where a current value
    equal to it makes `_list_probes` leave it out (a set of fewer than two items, when no spare item is allowed);
    else None, which equals no current value."""
    items = sorted({i for reader in readers for i in reader.named if isinstance(i, str)})
    if 2 ** len(items) > LIMIT:
        return None
    full, members = _subsets(len(items))
    member = dict(zip(items, members, strict=True))
    classes: list[tuple[int, tuple[float, ...]]] = [(full, ())]
    for reader in readers:  # no degree reads a list: a reader's degree is 1.0 where its condition holds
        classes = _split(classes, _true_sets(compiled.rules[reader.position].rule.when, fact.name, member, full, {},
                                             index.closures)[0], 1.0)
    alone = _spare_item(fact, items) is None
    values: PlanValues = []
    for probes, pattern in classes:
        for _ in range(min(2, probes.bit_count())):
            number = (probes & -probes).bit_length() - 1  # the first probe left (`_subsets` numbers them)
            probes &= probes - 1
            dropped = alone and number <= len(items)  # the empty set, then each item alone
            values.append((tuple(items[number - 1:number]) if dropped else None, pattern))
    return values


def _candidates(values: PlanValues, bases: list[float]) -> PlanValues:
    """The patterns of `values` (of several readers) that can give the least or the greatest figure, each once,
    with the one value that carries it (None where several do: no current value leaves it out).

    A reader's points grow with its degree where its base is positive and shrink where it is negative (each
    step of `base * degree * confidence * decay / total` is monotone, and confidence and decay are not
    negative), and the figure grows with the exact sum of the points: so a pattern that another one, which no
    current value leaves out, beats (or equals) for every reader in that direction never gives the greatest
    figure, and likewise for the least."""
    carriers: dict[tuple[float, ...], set[Value | None]] = {}
    for value, pattern in values:
        carriers.setdefault(pattern, set()).add(value)
    kept = [(next(iter(found)) if len(found) == 1 else None, pattern) for pattern, found in carriers.items()]
    signs = [1.0 if base > 0 else -1.0 for base in bases]
    keys = {pattern: [sign * degree for sign, degree in zip(signs, pattern, strict=True)] for _, pattern in kept}
    always = [keys[pattern] for value, pattern in kept if value is None]

    def beaten(key: list[float], better: Callable[[float, float], bool]) -> bool:
        return any(other != key and all(map(better, other, key)) for other in always)
    return [(value, pattern) for value, pattern in kept
            if not beaten(keys[pattern], operator.ge) or not beaten(keys[pattern], operator.le)]


def _pattern(readers: tuple[_Reader, ...], test: dict[str, Value], measure: dict[str, Value]) -> tuple[float, ...]:
    """The degrees of the readers of a private fact stated as (`test`, `measure`): 0.0 where a condition does
    not hold (its points are 0.0 either way), 1.0 without a degree (a private fact's degree reads the fact)."""
    return tuple([0.0 if not reader.when(test) else 1.0 if reader.measure is None
                  else cast(float, reader.measure(measure)) for reader in readers])


def _number_extras(plan: _Plan, current: float) -> list[tuple[Value, Value]] | None:
    """The values (test, measure) that `_number_probes` adds for a current value beyond the plan's values less
    the current one; None where that is not so simple (then the probes themselves are used).

    The current value splits the piece (left, right) it lies in: the new pieces' values see the conditions of
    the old piece, and their ends' degrees are the old ones' or the degree at the current value, so that last
    is the one new pattern. Below (above) every splitting value, conditions and degrees are constant: nothing
    is new, provided there is a value there either way."""
    points = plan.points
    if not points:
        return None
    place = bisect.bisect_left(points, current)
    if place < len(points) and points[place] == current:
        return []
    if place in (0, len(points)):
        end = points[0] if place == 0 else points[-1]
        middle = current / 2 + end / 2
        reached = min(current, end) < middle < max(current, end) or math.isfinite(
            current - max(1.0, abs(current)) if place == 0 else current + max(1.0, abs(current)))
        return [] if reached and plan.outside[0 if place == 0 else 1] else None
    left, right = points[place - 1], points[place]
    inside = left / 2 + right / 2
    # the plan's value inside the piece carries the limits at both its ends: when it is the current value, the
    # plan leaves it out, and those limits with it (then the probes are used)
    if left < left / 2 + current / 2 < current < current / 2 + right / 2 < right and left < inside < right \
            and current != inside:
        return [(inside, current)]
    return None


def _index(compiled: CompiledPack) -> _Index:
    """The pack's index of the rules that read each fact, kept with the compiled pack (it depends on it alone)."""
    return compiled.kept("leverage.index", lambda: _build_index(compiled))


def _build_index(compiled: CompiledPack) -> _Index:
    readers: dict[str, list[_Reader]] = {}
    closures: dict[int, Test] = {}
    for position, item in enumerate(compiled.rules):
        read = leaves(item.rule.when)
        for leaf in read:
            closures[id(leaf)] = compile_condition(leaf)
        degree = item.rule.degree
        for name in item.facts:
            own = [leaf for leaf in read if leaf.fact == name]
            ramp = degree is not None and degree.fact == name
            named = [v for leaf in own for v in OPERATORS[leaf.operator].names(leaf.operand)]
            if degree is not None and ramp:
                named += [degree.start, degree.end]
            readers.setdefault(name, []).append(_Reader(
                position, tuple(closures[id(leaf)] for leaf in own), tuple(named),
                any(leaf.operator == "known" for leaf in own), ramp, item.when, item.degree, item.base))
    private = frozenset(name for name, found in readers.items()
                        if all(compiled.rules[reader.position].facts == (name,) for reader in found))
    return _Index({name: tuple(found) for name, found in readers.items()}, closures, {},
                  tuple(band.start for band in compiled.pack.bands), tuple(band.label for band in compiled.pack.bands),
                  private, {}, {}, {}, {},
                  {}, {}, frozenset(r.position for name in private for r in readers[name]),
                  {id(item): position for position, item in enumerate(compiled.rules)}, tuple(sorted(readers)))


@dataclass(slots=True)  # not frozen: made per case, and making a frozen one costs several times more
class _Live:
    """A condition given the stated facts: decided (`truth`, no `facts`), or still open on `facts`."""

    truth: bool | None
    facts: frozenset[str]


def _live(condition: Condition, values: dict[str, Value], varying: frozenset[str], closures: dict[int, Test]) -> _Live:
    """Kleene logic over the facts that stay fixed: a decisive part settles an all/any whatever the rest says."""
    if isinstance(condition, Leaf):
        if condition.fact in varying:
            return _Live(None, frozenset((condition.fact,)))
        return _Live(closures[id(condition)](values), frozenset())
    if isinstance(condition, Not):
        inner = _live(condition.part, values, varying, closures)
        return inner if inner.facts or inner.truth is None else _Live(not inner.truth, frozenset())
    decisive = isinstance(condition, AnyOf)
    open_facts: set[str] = set()
    unknown = False
    for part in condition.parts:
        found = _live(part, values, varying, closures)
        if found.facts:
            open_facts |= found.facts
        elif found.truth is decisive:
            return _Live(decisive, frozenset())
        elif found.truth is None:
            unknown = True
    if open_facts:
        return _Live(None, frozenset(open_facts))
    return _Live(None if unknown else not decisive, frozenset())


# --- one case --------------------------------------------------------------------------------------------

@dataclass(slots=True)  # not frozen: made per case, and making a frozen one costs several times more
class _Reach:
    """What one fact alone can do: the rules it changes, the least and greatest score, and those rules'
    points at each."""

    positions: tuple[int, ...]
    low: float
    high: float
    low_points: Sequence[float]
    high_points: Sequence[float]


_SUBSETS: dict[int, tuple[int, tuple[int, ...]]] = {}


def _subsets(count: int) -> tuple[int, tuple[int, ...]]:
    """The sets of `count` items in the order `_list_probes` lists them (by size, then as
    `itertools.combinations` gives them), numbered 0, 1, ...: every number's bit, and for each item the bits
    of the sets that hold it."""
    if count not in _SUBSETS:
        held = [bytearray(b"0" * 2 ** count) for _ in range(count)]
        number = 0
        for size in range(count + 1):
            for chosen in itertools.combinations(range(count), size):
                for item in chosen:
                    held[item][number] = ord("1")
                number += 1
        _SUBSETS[count] = ((1 << number) - 1, tuple(int(bytes(reversed(bits)), 2) for bits in held))
    return _SUBSETS[count]


def _true_sets(condition: Condition, name: str, member: dict[str, int], full: int, values: dict[str, Value],
               closures: dict[int, Test]) -> tuple[int, int]:
    """The probes (bits, as `_subsets` numbers them) on which the condition is true, and those on which it is
    false, when list fact `name` is stated as each probe and the other facts as in `values`. Only `contains`
    and `known` read a list fact."""
    if isinstance(condition, Leaf):
        if condition.fact != name:
            truth = closures[id(condition)](values)
            return (full, 0) if truth is True else (0, full) if truth is False else (0, 0)
        if condition.operator == "known":  # every probe states the fact
            return (full, 0) if condition.operand else (0, full)
        held = member[str(condition.operand)]
        return held, full & ~held
    if isinstance(condition, Not):
        true, false = _true_sets(condition.part, name, member, full, values, closures)
        return false, true
    found = [_true_sets(part, name, member, full, values, closures) for part in condition.parts]
    if isinstance(condition, AnyOf):
        return _union(t for t, _ in found), _intersection((f for _, f in found), full)
    return _intersection((t for t, _ in found), full), _union(f for _, f in found)


def _extras(fact: Fact, table: _Table, current: Current) -> list[Value]:
    """The values next to the current one that `_PROBES` adds for it (a class of the table may hold no other):
    only for an integer, a date, or a string without declared values (`_Plan.nearby`)."""
    if current is None:
        return []
    if fact.type == "integer" and isinstance(current, int):
        low = -math.inf if fact.min is None else math.ceil(fact.min)
        high = math.inf if fact.max is None else math.floor(fact.max)
        return [x for x in (current - 1, current + 1) if low <= x <= high]
    if fact.type == "date" and isinstance(current, dt.date):
        day = current.toordinal()
        return [dt.date.fromordinal(x) for x in (day - 1, day + 1) if 1 <= x <= dt.date.max.toordinal()]
    if fact.type == "string" and fact.values is None:
        return [_fresh([*table.values, current])]
    return []


def _extreme(positions: tuple[int, ...], figures: dict[tuple[float, ...], float]) -> _Reach | None:
    """The first least and the first greatest of the figures met."""
    if not figures:
        return None
    low = min(figures, key=figures.__getitem__)
    high = max(figures, key=figures.__getitem__)
    return _Reach(positions, figures[low], figures[high], low, high)


def _tied(figures: dict[tuple[float, ...], float], figure: float) -> bool:
    """Whether points of different exact sums give this figure."""
    first = None
    for vector, found in figures.items():
        if found == figure:
            if first is None:
                first = vector
            elif math.fsum([*first, *(-x for x in vector)]) != 0.0:
                return True
    return False


def _split(classes: list[tuple[int, tuple[float, ...]]], true: int,
           points: float) -> list[tuple[int, tuple[float, ...]]]:
    """Classes of a list fact's probes (bits, with the points of the rules so far) split by one more rule: its
    `points` on the probes `true` where its condition holds, 0.0 on the others."""
    split = []
    for probes, found in classes:
        if probes & true:
            split.append((probes & true, (*found, points)))
        if probes & ~true:
            split.append((probes & ~true, (*found, 0.0)))
    return split


def _union(sets: Iterable[int]) -> int:
    result = 0
    for bits in sets:
        result |= bits
    return result


def _intersection(sets: Iterable[int], full: int) -> int:
    result = full
    for bits in sets:
        result &= bits
    return result


@dataclass(slots=True)  # not frozen: made per case, and making a frozen one costs several times more
class _Found:
    """What the values of one fact give the rules it can change: their positions, the vectors of their points
    in the order met (None: too many values), and whether `_reach`'s order decides between tied figures; for
    one rule, and for a private fact's kept vectors, also the vectors `_ranked` (a figure grows with their exact
    sums: `_Analysis._monotone`)."""

    positions: tuple[int, ...]
    vectors: list[tuple[float, ...]] | None
    ordered: bool
    ranked: Sequence[tuple[float, ...]] | None = None


def _ranked(vectors: list[tuple[float, ...]]) -> list[tuple[float, ...]]:
    """One vector for each exact sum the vectors reach, the first met of each, ascending by that sum (compared
    as the sums' `partials`, zero-padded: the first part is the sum rounded, which rounding keeps in order)."""
    expansions = [partials(vector) for vector in vectors]
    width = max(map(len, expansions))
    keys = [(*expansion, *[0.0] * (width - len(expansion))) for expansion in expansions]
    first: dict[tuple[float, ...], tuple[float, ...]] = {}
    for key, vector in zip(keys, vectors, strict=True):
        first.setdefault(key, vector)
    return [first[key] for key in sorted(first)]


@dataclass(frozen=True)
class _Extremes:
    """`_Analysis.extremes` of a group: its rules, their points at its least and greatest total, and the
    limits met on the way."""

    rules: tuple[int, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    limits: tuple[str, ...]

    def found(self, limits: list[str]) -> tuple[list[int], Sequence[float], Sequence[float]]:
        """What `extremes` returns, its limits added to `limits`."""
        limits += self.limits
        return [*self.rules], self.low, self.high


@dataclass(slots=True)  # not frozen: made per case, and making a frozen one costs several times more
class _Group:
    facts: tuple[str, ...]
    rules: tuple[int, ...]


class _Analysis:
    """Everything the figures of one case share: its values, evidence, the points as they stand."""

    def __init__(self, compiled: CompiledPack, weighing: Weighing, case: Case) -> None:
        self.compiled, self.weighing, self.case = compiled, weighing, case
        self.pack = compiled.pack
        self.index = _index(compiled)
        self.rules = compiled.rules
        self.values = weighing.values
        # each rule's points as they stand; for an evaluated rule its condition (`truth`: it fired, or it is
        # false), and for one that fired its confidence and decay (`evidence`) and points (`full`)
        self.now = now = [0.0] * len(self.rules)
        self._evidence: dict[int, tuple[float, float]] = {}
        self._truths: dict[int, Truth] = {}
        self._full: dict[int, float] = {}
        places, evidence, truths, full = self.index.positions, self._evidence, self._truths, self._full
        for item, found, confidence, decay in zip(weighing.rules, weighing.points, weighing.confidences,
                                                  weighing.decays, strict=True):
            position = places[id(item)]
            now[position] = found
            if confidence is not None and decay is not None:
                evidence[position] = (confidence, decay)
                truths[position] = True
                full[position] = found
            else:
                truths[position] = False
        self.base = partials([50.0, *weighing.points])
        self.scratch = dict(self.values)  # the case's values, one fact changed at a time (and restored)
        self.limits: list[str] = []
        self._depends: dict[int, frozenset[str]] | None = None
        self.unstated = [name for name in self.index.names if name not in self.values]  # those some rule reads
        self._domains: dict[str, list[Probe | None] | None] = {}
        # (fact, rule) -> the outcomes of the rule's leaves on the fact at each of the fact's `domain`
        self._outcomes: dict[tuple[str, int], list[tuple[Truth, ...]]] = {}
        self._reaches: dict[str, _Reach | None] = {}  # alone(), per unstated fact
        self._spare_evidence: Evidence | None = None

    # points and figures

    def evidence(self, position: int) -> tuple[float, float]:
        found = self._evidence.get(position)
        if found is None:
            found = self._evidence[position] = self.weighing.evidence.of(self.rules[position])
        return found

    def points(self, position: int, test: dict[str, Value], measure: dict[str, Value],
               evidence: tuple[float, float] | None = None) -> float:
        """The rule's points with these values, in the arithmetic of `weigh`."""
        item = self.rules[position]
        if not item.when(test):
            return 0.0
        degree = 1.0 if item.degree is None else item.degree(measure)
        if degree is None:
            return 0.0
        confidence, decay = self.evidence(position) if evidence is None else evidence
        return item.base * degree * confidence * decay / self.compiled.total_weight + 0.0

    def figure(self, changed: Sequence[int], points: Iterable[float]) -> float:
        """The exact score when the rules `changed` have these `points` (the others as they stand)."""
        total = math.fsum([*self.base, *(-self.now[p] for p in changed), *points])
        return clamped(total)

    def levers(self, entries: list[tuple[float, str, float, float]]) -> tuple[Lever, ...]:
        """Entries (-(high - low), fact, low, high) as levers, widest first, then by fact (they sort as tuples),
        each with the labels, ascending, of the bands [low, high] reaches into (a band runs up to the next one's
        start): from the last band starting at or below `low` to the last starting at or below `high`."""
        starts, labels = self.index.starts, self.index.labels
        found = []
        for _, name, low, high in sorted(entries):
            first = bisect.bisect_right(starts, low)
            found.append(Lever(name, low, high, labels[first - 1 if first else 0:bisect.bisect_right(starts, high)]))
        return tuple(found)

    def outer(self, rules: Iterable[int]) -> tuple[list[float], list[float]]:
        """Each rule's least and greatest possible points: none, or all of them at confidence and decay 1."""
        full = [self.rules[p].base / self.compiled.total_weight for p in rules]
        return [min(0.0, f) for f in full], [max(0.0, f) for f in full]

    # one fact at a time: gaps and counterfactuals

    def gaps(self) -> tuple[Lever, ...]:
        entries = []
        score = self.weighing.score
        for name in self.unstated:  # in order: what `limits` says comes in this order
            if (reach := self.alone(name)) is not None:
                # leaving it unstated is one of the ways: the case's own score
                low = reach.low if reach.low < score else score
                high = reach.high if reach.high > score else score
                if low != high:
                    entries.append((low - high, name, low, high))
        return self.levers(entries)

    def counterfactuals(self) -> tuple[Lever, ...]:
        entries = []
        observations = self.weighing.observations
        for name in self.index.names:
            if name in observations:
                low, high = self.counterfactual(name)
                if low != high:
                    entries.append((low - high, name, low, high))
        return self.levers(entries)

    def counterfactual(self, name: str) -> tuple[float, float]:
        """The least and greatest score over every other value of stated fact `name`, and its removal."""
        fact = self.pack.facts[name]
        plan = _plan(self.index, self.compiled, fact)
        found = None if plan is None or len(self.case.facts[name]) != 1 else self._planned(fact, plan)
        return self._probed(name) if found is None else found

    def _probed(self, name: str) -> tuple[float, float]:
        """`counterfactual` from the fact's probes (or its table), whatever the fact."""
        scratch = self.scratch
        value = scratch.pop(name)
        try:
            readers = self.index.readers[name]
            # each condition with the fact removed: one the case leaves unknown stays so (Kleene logic only
            # ever loses a decision when a fact goes), unless a `known:` leaf reads the fact; one that no leaf on
            # the fact reads (only its degree does) does not change
            truths, unstated = self._truths, []
            for reader in readers:
                truth = truths[reader.position] if reader.position in truths else self.truth(reader)
                unstated.append(truth if not reader.leaves or (truth is None and not reader.known)
                                else reader.when(scratch))
            removed = self.removed(name, readers, unstated)
            found = self._find(name, value, readers, unstated)
            reach = self._unchanged(name, value) if found is None else self._span(name, found)
        finally:
            scratch[name] = value
        return (removed, removed) if reach is None else (min(reach[0], removed), max(reach[1], removed))

    def _span(self, name: str, found: _Found) -> tuple[float, float] | None:
        """The least and greatest figures of the vectors found (None: there are none), without the points that
        come with them (a counterfactual needs none). A figure rounds an exact sum that grows with the exact sum
        of the vector's points, so each extreme is among the vectors whose points' sum, rounded, is the least
        (greatest) of those sums: only those are added to the rest."""
        positions, vectors = found.positions, found.vectors
        if vectors is None:
            reach = self._too_many(name, positions)
            return reach.low, reach.high
        if not vectors:
            return None
        fsum = math.fsum
        sums = list(map(fsum, vectors))
        least, greatest = min(sums), max(sums)
        now = self.now
        settled = [*self.base, *[-now[p] for p in positions if now[p]]]
        low = min([fsum([*settled, *vector]) for vector, total in zip(vectors, sums, strict=True) if total == least])
        high = max([fsum([*settled, *vector]) for vector, total in zip(vectors, sums, strict=True)
                    if total == greatest])
        return clamped(low), clamped(high)

    def _planned(self, fact: Fact, plan: _Plan) -> tuple[float, float] | None:
        """`counterfactual` of a private fact with one observation (its removal leaves it unstated), from its
        plan: the removal, the plan's values other than the current one, and those next to the current one
        that `_PROBES` adds (`_extras`, `_number_extras`); None where those are not simple (see `_probed`)."""
        name = fact.name
        current = self.values[name]
        extras: list[tuple[Value, Value]] | None = None
        if fact.type == "number":
            extras = _number_extras(plan, float(cast(float, current)))
            if extras is None:
                return None
        nearby = plan.nearby or bool(extras)
        total, now, positions = self.compiled.total_weight, self.now, plan.positions
        if len(positions) == 1:
            # one reader: its points, and so the figure, are monotone in its degree (rounding keeps the order), so
            # only its least and greatest degree count; the plan's values hold those of the whole domain, so the
            # values next to the current one matter only where it held one of them alone
            ends = plan.others.get(current, plan.whole)
            if nearby and (ends is None or ends != plan.whole):
                degrees = [*(ends or ()), *[degree for degree, in self._patterns(fact, extras, current)]]
                ends = (min(degrees), max(degrees)) if degrees else None
            position = positions[0]
            least = greatest = removed = plan.removed[0]
            if ends is not None:
                base = self.rules[position].base
                confidence, decay = self.evidence(position)
                first = base * ends[0] * confidence * decay / total + 0.0
                last = base * ends[1] * confidence * decay / total + 0.0
                least, greatest = (first, last) if first < last else (last, first)
                least, greatest = least if least < removed else removed, greatest if greatest > removed else removed
            settled = [*self.base, -now[position]] if now[position] else [*self.base]
            settled.append(least)
            low = math.fsum(settled)
            if greatest != least:
                settled[-1] = greatest
                high = math.fsum(settled)
            else:
                high = low
            return clamped(low), clamped(high)
        patterns = [pattern for value, pattern in plan.values if value != current]
        if nearby:
            patterns += self._patterns(fact, extras, current)
        settled = [*self.base, *[-now[p] for p in positions if now[p]]]
        factors = [(self.rules[p].base, *self.evidence(p)) for p in positions]
        fsum = math.fsum
        figures = [fsum([*settled, *plan.removed])]
        for pattern in patterns:
            points = settled.copy()
            for degree, (base, confidence, decay) in zip(pattern, factors, strict=True):  # no closure per pattern
                points.append(base * degree * confidence * decay / total + 0.0)
            figures.append(fsum(points))
        return clamped(min(figures)), clamped(max(figures))

    def _patterns(self, fact: Fact, extras: list[tuple[Value, Value]] | None,
                  current: Value) -> list[tuple[float, ...]]:
        """The readers' degrees (`_pattern`) at the values (test, measure) next to the current one: `extras`, or for
        a fact of another type than number, those of `_extras`."""
        name = fact.name
        if extras is None:
            extras = [(v, v) for v in _extras(fact, self.index.tables.get(name) or _table(self.index, fact), current)]
        readers = self.index.readers[name]
        return [_pattern(readers, {name: test}, {name: measure}) for test, measure in extras]

    def alone(self, name: str) -> _Reach | None:
        """`_alone` for an unstated fact, kept; for a private one (`_Index.private`) from what the pack keeps."""
        if name not in self._reaches:
            readers = self.index.readers[name]
            if name in self.index.private:
                found = self.index.alone.get(name)
                if found is None:
                    found = self._find(name, None, readers, [None] * len(readers))
                    assert found is not None  # every reader of an unstated private fact can change
                    if found.ranked is None and found.vectors:
                        found.ranked = _ranked(found.vectors)
                    self.index.alone[name] = found
                self._reaches[name] = self._settle(name, None, found, readers)
            else:
                self._reaches[name] = self._alone(name, None, readers, [self.truth(reader) for reader in readers])
        return self._reaches[name]

    def truth(self, reader: _Reader) -> Truth:
        """The reader's condition with the case as it is (kept: a rule may read several unstated facts)."""
        if reader.position not in self._truths:
            self._truths[reader.position] = reader.when(self.values)
        return self._truths[reader.position]

    def _alone(self, name: str, current: Current, readers: tuple[_Reader, ...], truths: list[Truth]) -> _Reach | None:
        """The least and greatest score when fact `name` alone takes any value (other than `current`, when
        given), the rest as the case is; None when there is no such value. `truths` are the readers'
        conditions with the fact unstated, and `self.scratch` holds the case's values without it."""
        found = self._find(name, current, readers, truths)
        if found is None:
            unchanged = self._unchanged(name, current)
            return None if unchanged is None else _Reach((), *unchanged, (), ())
        return self._settle(name, current, found, readers)

    def _unchanged(self, name: str, current: Current) -> tuple[float, float] | None:
        """`_alone`'s least and greatest score where no rule can change: every other value there is scores as the
        case does (None: there is none)."""
        score = self.weighing.score
        fact = self.pack.facts[name]
        return (score, score) if _PROBES[fact.type](fact, (), current) else None

    def _live(self, readers: tuple[_Reader, ...], truths: list[Truth]) -> tuple[list[tuple[_Reader, bool]], list[int]]:
        """The readers whose points the fact can change, each with whether its condition is still open (else
        only its degree on the fact can change them), and their places among `readers`.

        A rule whose condition the other facts already decide (by Kleene logic: stating a value only ever
        settles an unknown part, unless a `known:` leaf reads the fact) changes, if at all, only by a degree
        on the fact. For a private fact (`truths` all None) every reader is live and open."""
        live = []
        indexes = []
        for i, (reader, truth) in enumerate(zip(readers, truths, strict=True)):
            if reader.known or truth is None:
                live.append((reader, True))
            elif truth and reader.ramp:
                live.append((reader, False))
            else:
                continue
            indexes.append(i)
        return live, indexes

    def _find(self, name: str, current: Current, readers: tuple[_Reader, ...], truths: list[Truth]) -> _Found | None:
        """The vectors of points the values of `name` give its live readers (None: no reader is live). A
        rule's points depend on the value only through its own leaves and degree on it, so its condition is
        evaluated once per outcome of its leaves."""
        live, indexes = self._live(readers, truths)
        if not live:
            return None
        fact = self.pack.facts[name]
        ramps = sum(reader.ramp for reader, _ in live)
        tabled = fact.type in _TABLED and (not ramps or len(live) == 1)
        try:
            if fact.type == "list":
                vectors = self._list_vectors(name, fact, current, live)
            elif tabled:
                vectors = self._tabled_vectors(name, fact, current, live, indexes)
            else:
                vectors = self._reach_vectors(name, fact, current, live, indexes)
        finally:
            self.scratch.pop(name, None)
        ranked = sorted(set(vectors)) if len(live) == 1 and vectors else None  # one rule: by its points
        return _Found(tuple([reader.position for reader, _ in live]), vectors, tabled and current is None, ranked)

    def _settle(self, name: str, current: Current, found: _Found, readers: tuple[_Reader, ...]) -> _Reach | None:
        """The least and greatest figures of the vectors found; where the order the values are met in could
        decide which points come with a figure (bounds add them up), `_reach`'s order decides."""
        positions = found.positions
        if found.vectors is None:
            return self._too_many(name, positions)
        if found.ranked is not None:
            reach = self._monotone(positions, found.ranked)
            if reach is not None:
                return reach
        figures = self._figures(positions, found.vectors)
        reach = _extreme(positions, figures)
        if found.ordered and reach is not None and (_tied(figures, reach.low) or _tied(figures, reach.high)):
            private = name in self.index.private
            probed = self.index.probed.get(name) if private else None
            if probed is None:
                live, indexes = self._live(readers, [self.truth(reader) for reader in readers])
                try:
                    probed = self._reach_vectors(name, self.pack.facts[name], current, live, indexes)
                finally:
                    self.scratch.pop(name, None)
                if private:
                    self.index.probed[name] = probed
            reach = _extreme(positions, self._figures(positions, probed))
        return reach

    def _monotone(self, positions: tuple[int, ...], ranked: Sequence[tuple[float, ...]]) -> _Reach | None:
        """`_settle` from the vectors `ranked` (`_ranked`): the figure rounds an exact sum that grows with the
        vector's, so the least and greatest are at the ends, and where the next one gives the same figure (a
        tie, where the order met decides which points come with it) None."""
        now = self.now
        settled = [*self.base, *[-now[p] for p in positions if now[p]]]
        fsum = math.fsum
        low = clamped(fsum([*settled, *ranked[0]]))
        if len(ranked) == 1:
            return _Reach(positions, low, low, ranked[0], ranked[0])
        high = clamped(fsum([*settled, *ranked[-1]]))
        if clamped(fsum([*settled, *ranked[1]])) == low or clamped(fsum([*settled, *ranked[-2]])) == high:
            return None
        return _Reach(positions, low, high, ranked[0], ranked[-1])

    def _figures(self, positions: tuple[int, ...],
                 vectors: Sequence[tuple[float, ...]]) -> dict[tuple[float, ...], float]:
        """The exact score of each vector of points of the rules `positions` (the others as they stand)."""
        now = self.now
        # a rule with no points now adds nothing to the exact sum; many vectors share the rest's partials
        settled = [*self.base, *[-now[p] for p in positions if now[p]]]
        if len(settled) > 3 and len(vectors) > 2:
            settled = partials(settled)
        fsum = math.fsum
        return {vector: clamped(fsum([*settled, *vector])) for vector in vectors}

    def _tabled_vectors(self, name: str, fact: Fact, current: Current, live: list[tuple[_Reader, bool]],
                        indexes: list[int]) -> list[tuple[float, ...]]:
        """`_reach_vectors` from the fact's table, when no degree of a rule that can change reads the fact or
        only one rule can change: a class of values at a time (a value at a time for a degree; the current
        value left out), and the values next to `current` that `_PROBES` would add. No leaf tells a class's
        values apart, and between two values of the table a degree's points are monotone (the rounded ones
        too), so the least and greatest figures are those `_reach` finds; where the order `_reach` meets them
        in could decide which points a figure comes with (bounds add them up), `_alone` asks `_reach`."""
        table = self.index.tables.get(name) or _table(self.index, fact)
        scratch = self.scratch
        vectors: dict[tuple[float, ...], None] = {}
        if live[0][0].ramp:  # the one rule that can change
            (reader, open_when), = live
            i = indexes[0]
            degrees = table.degrees[i]
            assert degrees is not None  # the table holds the degree of every reader with one on the fact
            confidence, decay = self.evidence(reader.position)
            factor, total = reader.base, self.compiled.total_weight
            found: list[float | None] = []  # the degree at each value (None: the rule does not fire)
            for group in table.classes:
                if open_when:
                    scratch[name] = table.examples[i][group.ids[i]]
                    if not reader.when(scratch):
                        if len(group.members) > 1 or table.values[group.members[0]] != current:
                            found.append(None)
                        continue
                found += [degrees[m] for m in group.members if table.values[m] != current]
            for value in _extras(fact, table, current):
                scratch[name] = value
                found.append(reader.measure({name: value}) if reader.when(scratch) and reader.measure else None)
            for degree in found:
                vectors[(0.0 if degree is None else factor * degree * confidence * decay / total + 0.0,)] = None
            return list(vectors)
        full = self._full
        columns: list[tuple[int, Test, float, list[Value], dict[int, float]]] = [
            (i, reader.when, full[reader.position] if reader.position in full else self.full(reader.position),
             table.examples[i], {}) for (reader, _), i in zip(live, indexes, strict=True)]
        most = 2 ** sum(1 for column in columns if column[2] != 0.0)  # vectors there can be

        def record(outcomes: list[Any]) -> None:
            """The points of one outcome of each reader's leaves (each rule's points computed once)."""
            points: list[float] = []
            for outcome, (_, when, full_points, examples, seen) in zip(outcomes, columns, strict=True):
                got = seen.get(outcome)
                if got is None:
                    scratch[name] = examples[outcome]
                    got = seen[outcome] = full_points if when(scratch) else 0.0
                points.append(got)
            vectors[tuple(points)] = None

        for group in table.classes:
            if len(vectors) == most:
                break
            if len(group.members) == 1 and table.values[group.members[0]] == current:
                continue  # the current value alone
            record([group.ids[column[0]] for column in columns])
        for value in _extras(fact, table, current) if len(vectors) < most else ():
            one = {name: value}
            record([table.outcomes[column[0]][tuple([leaf(one) for leaf in reader.leaves])]
                    for (reader, _), column in zip(live, columns, strict=True)])
        return list(vectors)

    def full(self, position: int) -> float:
        """The rule's points when its condition holds, its degree (if any) as the case has it."""
        found = self._full.get(position)
        if found is None:
            item = self.rules[position]
            degree = 1.0 if item.degree is None else item.degree(self.values)
            if degree is None:
                found = 0.0
            else:
                confidence, decay = self.evidence(position)
                found = item.base * degree * confidence * decay / self.compiled.total_weight + 0.0
            self._full[position] = found
        return found

    def _reach_vectors(self, name: str, fact: Fact, current: Current, live: list[tuple[_Reader, bool]],
                       indexes: list[int]) -> list[tuple[float, ...]]:
        """The points of `_alone`'s rules at each of its probes, in their order (each distinct vector once), for
        a fact of any type but list (`_list_vectors`): a probe among the values of the fact's table reads the
        outcomes of the leaves and the degrees there from the table."""
        scratch, total = self.scratch, self.compiled.total_weight
        table = self.index.tables.get(name) or _table(self.index, fact)
        places: list[int | None]
        if fact.type in _WHOLE:
            tests, places = _whole_values(fact, table, live, indexes, current)
            measures, ends = tests, places
        else:
            probes = _PROBES[fact.type](fact, [v for reader, _ in live for v in reader.named], current)
            tests, measures = [probe.test for probe in probes], [probe.measure for probe in probes]
            places = [table.places.get(test) for test in tests]
            # where a degree is read: a number's probe inside a piece reads it at the piece's end
            ends = places if fact.type != "number" else [table.places.get(measure) for measure in measures]
            if fact.type == "number":
                _inside(table, probes, places)
        # the probes the table does not hold, with what the leaves see there (the probe's `test`)
        missing = [(j, {name: tests[j]}) for j, place in enumerate(places) if place is None]
        held = [0 if place is None else place for place in places]  # the others' places (0: patched below)
        # a reader's entries at those places (and at the places of the measures, for a degree), picked at once
        pick = _picker(held)
        pick_ends = pick if ends is places else _picker([0 if place is None else place for place in ends])
        unheld = [(j, {name: measures[j]}) for j, place in enumerate(ends) if place is None]
        # a rule at a time (a column of points, one per probe), then the vectors probe by probe
        columns: list[Sequence[float]] = []
        for (reader, open_when), i in zip(live, indexes, strict=True):
            keys: Sequence[int] | None = None  # per probe, the id of its leaves' outcome (None: one truth for all)
            seen: dict[int, Truth] = {}
            truth: Truth = True
            if open_when and reader.leaves:
                # its truth once per outcome of its leaves, by the outcome's id in the table (which holds every
                # outcome a value gives), at the table's value with that outcome
                keys = pick(table.ids[i])
                outcomes, examples = table.outcomes[i], table.examples[i]
                if missing:
                    keys = list(keys)
                    for j, one in missing:
                        keys[j] = outcomes[tuple([leaf(one) for leaf in reader.leaves])]
                for key in set(keys):
                    scratch[name] = examples[key]
                    seen[key] = reader.when(scratch)
            elif open_when:
                truth = reader.when(scratch)  # no leaf reads the fact: the others decide
            if not reader.ramp or reader.measure is None:
                full = self.full(reader.position)
                if keys is None:
                    columns.append([full if truth else 0.0] * len(tests))
                else:
                    points_of = [0.0] * len(table.examples[i])  # by the outcome's id
                    for key, holds in seen.items():
                        points_of[key] = full if holds else 0.0
                    columns.append(_picker(keys)(points_of))
                continue
            ramp, base = reader.measure, reader.base
            confidence, decay = self.evidence(reader.position)
            tabled = table.degrees[i]
            assert tabled is not None  # the table holds the degree of every reader with one on the fact
            degrees = pick_ends(tabled)
            if unheld:
                degrees = list(degrees)
                for j, one in unheld:
                    degrees[j] = ramp(one)
            truths = [truth] * len(tests) if keys is None else map(seen.__getitem__, keys)
            columns.append([0.0 if degree is None or not holds else base * degree * confidence * decay / total + 0.0
                            for degree, holds in zip(degrees, truths, strict=True)])
        return list(dict.fromkeys(zip(*columns, strict=True)))

    def _list_vectors(self, name: str, fact: Fact, current: Current,
                      live: list[tuple[_Reader, bool]]) -> list[tuple[float, ...]] | None:
        """`_reach_vectors` for a list fact, without listing its probes (None: more than `LIMIT` of them): the
        probes of `_list_probes` are the sets of the named items in order (numbered 0, 1, ...), and a rule's
        condition is a set of those numbers (a bit each), computed from its `contains` leaves by Kleene logic
        on sets. The rules' points split the probes into classes; each class's first probe is where `_reach`
        would first meet its points."""
        items = sorted({i for reader, _ in live for i in reader.named if isinstance(i, str)})
        if 2 ** len(items) > LIMIT:
            return None
        full, members = _subsets(len(items))
        allowed = full
        if _spare_item(fact, items) is None and isinstance(current, tuple) and len(current) < 2 \
                and set(current) <= set(items):
            # `_list_probes` skips the set that is the current value when it has no other form to take
            allowed &= ~(1 << (0 if not current else 1 + items.index(current[0])))
        member = dict(zip(items, members, strict=True))
        classes: list[tuple[int, tuple[float, ...]]] = [(allowed, ())] if allowed else []
        for reader, _ in live:
            points = self.full(reader.position)
            true = 0 if points == 0.0 else _true_sets(self.rules[reader.position].rule.when, name, member, full,
                                                      self.scratch, self.index.closures)[0]
            classes = _split(classes, true, points)
        # by each class's first probe
        return list(dict.fromkeys(found for _, found in sorted(classes, key=lambda entry: entry[0] & -entry[0])))

    def _too_many(self, name: str, positions: tuple[int, ...]) -> _Reach:
        self.limits.append(f"'{name}': its values fall into more than {LIMIT:,} classes; its range is an "
                           "outer bound (each rule anywhere between none and all of its points)")
        lows, highs = self.outer(positions)
        return _Reach(positions, self.figure(positions, lows), self.figure(positions, highs), lows, highs)

    def removed(self, name: str, readers: tuple[_Reader, ...], unstated: list[Truth]) -> float:
        """The score once the fact's observation in use is removed: the next one of its history then in use
        (with its own grades and date), if any; else the fact is unstated (its readers' conditions are then
        `unstated`), and no longer evidence. `self.scratch` holds the case's values without it."""
        history = self.case.facts[name]
        following = None
        if len(history) > 1:
            chosen = self.weighing.observations[name]
            rest = tuple(o for o in history if o is not chosen)
            following = in_use(replace(self.case, facts={name: rest}), self.weighing.as_of)[0].get(name)
        evidence = self._spare()
        saved = evidence.confidences.pop(name), evidence.ages.pop(name)
        scratch, total = self.scratch, self.compiled.total_weight
        try:
            positions = [reader.position for reader in readers]
            truths = unstated
            if following is not None:
                own = Evidence(self.pack, self.case, {name: following}, self.weighing.as_of)
                evidence.confidences[name], evidence.ages[name] = own.confidences[name], own.ages[name]
                scratch[name] = following.value
                # stating a value only ever settles a part the removal left unknown (Kleene logic), unless a
                # `known:` leaf reads the fact: a condition the removal decides stays so
                truths = [truth if truth is not None and not reader.known else reader.when(scratch)
                          for reader, truth in zip(readers, unstated, strict=True)]
            # the rules whose points may change, and their points (one with none before and after adds nothing)
            changed: list[int] = []
            points: list[float] = []
            rules, now = self.rules, self.now
            for position, truth in zip(positions, truths, strict=True):
                item = rules[position]
                degree = None if not truth else 1.0 if item.degree is None else item.degree(scratch)
                if degree is None:
                    if now[position]:
                        changed.append(position)
                        points.append(0.0)
                else:
                    confidence, decay = evidence.of(item)  # only where it counts: it is the costly part
                    changed.append(position)
                    points.append(item.base * degree * confidence * decay / total + 0.0)
            return self.figure(changed, points)
        finally:
            scratch.pop(name, None)
            evidence.confidences[name], evidence.ages[name] = saved

    def _spare(self) -> Evidence:
        """A copy of the case's evidence for `removed` to change one fact at a time (and restore)."""
        if self._spare_evidence is None:
            stated = self.weighing.evidence
            self._spare_evidence = Evidence(self.pack, self.case, {}, self.weighing.as_of)
            self._spare_evidence.confidences = dict(stated.confidences)
            self._spare_evidence.ages = dict(stated.ages)
        return self._spare_evidence

    # every unstated fact together: bounds

    def depends(self) -> dict[int, frozenset[str]]:
        """For each rule reading an unstated fact, the unstated facts its points can still depend on: those in
        the parts of its condition the stated facts leave open, and its degree's fact unless the condition is
        already false or unknown."""
        if self._depends is None:
            varying = frozenset(self.unstated)
            self._depends = {}
            unstated = self.index.unstated
            for name in self.unstated:
                if name in self.index.private:
                    # its rules read it alone: what they depend on, it unstated, depends on the pack alone
                    kept = unstated.get(name)
                    if kept is None:
                        kept = unstated[name] = {reader.position: self._reads(name, reader, varying)
                                                 for reader in self.index.readers[name]}
                    self._depends.update(kept)
                    continue
                for reader in self.index.readers[name]:
                    if reader.position not in self._depends:
                        self._depends[reader.position] = self._reads(name, reader, varying)
        return self._depends

    def _reads(self, name: str, reader: _Reader, varying: frozenset[str]) -> frozenset[str]:
        """`depends` of one rule reading unstated fact `name`."""
        item = self.rules[reader.position]
        if not reader.known and sum(f not in self.values for f in item.facts) == 1:
            # its one unstated fact: the condition is open on it exactly when it is unknown
            truth = self.truth(reader)
            return frozenset((name,)) if truth is None or (truth and reader.ramp) else frozenset()
        live = _live(item.rule.when, self.values, varying, self.index.closures)
        facts = set(live.facts)
        degree = item.rule.degree
        if degree is not None and degree.fact in varying and (facts or live.truth is True):
            facts.add(degree.fact)
        return frozenset(facts)

    def domain(self, name: str) -> list[Probe | None] | None:
        """Unstated (None) and the probes of an unstated fact that its rules tell apart; None: too many."""
        if name not in self._domains:
            depends = self.depends()
            readers = [r for r in self.index.readers[name] if name in depends[r.position]]
            fact = self.pack.facts[name]
            try:
                probes = _PROBES[fact.type](fact, [v for reader in readers for v in reader.named], None)
            except _TooMany:
                self._domains[name] = None
            else:
                kept, outcomes = self._distinct(name, probes, readers)
                self._domains[name] = [None, *kept]
                for reader, found in zip(readers, outcomes, strict=True):
                    self._outcomes[name, reader.position] = [tuple([leaf({}) for leaf in reader.leaves]), *found]
        return self._domains[name]

    def _distinct(self, name: str, probes: list[Probe],
                  readers: list[_Reader]) -> tuple[list[Probe], list[list[tuple[Truth, ...]]]]:
        """The first probe of each class that no leaf and no degree on the fact tells apart, and for each reader the
        outcomes of its leaves on the fact at those probes."""
        leaves = [leaf for reader in readers for leaf in reader.leaves]
        degrees = [d for reader in readers if reader.ramp and (d := self.rules[reader.position].degree) is not None]
        # where each reader's leaves start and end among `leaves`
        ends = list(itertools.accumulate(len(reader.leaves) for reader in readers))
        starts = [0, *ends][:-1]
        seen: set[tuple[Any, ...]] = set()
        kept = []
        outcomes: list[list[tuple[Truth, ...]]] = [[] for _ in readers]
        for probe in probes:
            test, measure = {name: probe.test}, {name: probe.measure}
            signature: tuple[Any, ...] = (*[leaf(test) for leaf in leaves], *[degree(measure) for degree in degrees])
            if signature not in seen:
                seen.add(signature)
                kept.append(probe)
                for column, start, end in zip(outcomes, starts, ends, strict=True):
                    column.append(signature[start:end])
        return kept, outcomes

    def groups(self) -> list[_Group]:
        """Rules connected by the unstated facts they depend on, with those facts, ordered by a fact of each."""
        parent: dict[str, str] = {}

        def find(name: str) -> str:
            while parent.setdefault(name, name) != name:
                name = parent[name]
            return name

        depends, index = self.depends(), self.index
        # a private fact's rules read it alone: they form a group of their own (named by the fact), kept per pack
        found = {name: group for name in self.unstated if name in index.private and (group := self._solo(name))}
        depending = {p: sorted(facts) for p, facts in sorted(depends.items()) if facts and p not in index.lone}
        for first, *rest in depending.values():
            for other in rest:
                parent[find(other)] = find(first)
        rules: dict[str, list[int]] = {}
        facts: dict[str, set[str]] = {}
        for position, names in depending.items():
            root = find(names[0])
            rules.setdefault(root, []).append(position)
            facts.setdefault(root, set()).update(names)
        found.update((root, _Group(tuple(sorted(facts[root])), tuple(positions))) for root, positions in rules.items())
        return [found[root] for root in sorted(found)]

    def _solo(self, name: str) -> _Group | None:
        """The group of unstated private fact `name`: its rules that depend on it (None: none do)."""
        solos = self.index.solos
        if name not in solos:
            positions = tuple(p for p, facts in self.index.unstated[name].items() if facts)
            solos[name] = _Group((name,), positions) if positions else None
        return solos[name]

    def bounds(self) -> Interval:
        changed: list[int] = []
        lows: list[float] = []
        highs: list[float] = []
        for group in self.groups():
            rules, low, high = self.extremes(group)
            changed += rules
            lows += low
            highs += high
        score = self.weighing.score
        # leaving every fact unstated is one of the ways: the case's own score lies inside, to the last bit
        return Interval(min(score, self.figure(changed, lows)), max(score, self.figure(changed, highs)))

    def extremes(self, group: _Group) -> tuple[list[int], Sequence[float], Sequence[float]]:
        """Rules (the group's, or more) and their points at the group's least and at its greatest total."""
        if len(group.facts) > 1:
            return self._several(group).found(self.limits)
        # one fact: what it does alone, or nothing (leaving it unstated is one of the ways)
        reach = self.alone(group.facts[0])
        if reach is None:
            return [], [], []
        now = [self.now[p] for p in reach.positions]
        score = self.weighing.score
        return (list(reach.positions), now if score < reach.low else reach.low_points,
                now if score > reach.high else reach.high_points)

    def _several(self, group: _Group) -> _Extremes:
        """`_eliminated`, kept in the pack's index for a closed group (`_Index.closed`)."""
        closed = self.index.closed
        key: tuple[int | str, ...] = (LIMIT, *group.facts)  # a smaller `LIMIT` may make the figure an outer bound
        kept = closed.get(key)
        if kept is not None:
            return kept
        found = self._eliminated(group)
        if key not in closed:
            facts = set(group.facts)
            shut = all(set(self.rules[reader.position].facts) <= facts
                       for name in group.facts for reader in self.index.readers[name])
            closed[key] = found if shut else None
        return found

    def _eliminated(self, group: _Group) -> _Extremes:
        """`extremes` of a group of several facts, by variable elimination (or each rule's own extreme)."""
        domains = {name: self.domain(name) for name in group.facts}
        known = {name: d for name, d in domains.items() if d is not None}
        sizes = {name: len(d) for name, d in known.items()}
        scopes = {p: tuple(sorted(self.depends()[p])) for p in group.rules}
        order, work = _elimination_order(sizes, list(scopes.values())) if len(known) == len(domains) else ([], 0)
        if len(known) < len(domains) or work > LIMIT:
            message = (f"bounds: the rules reading {', '.join(group.facts)} need more than {LIMIT:,} combinations; "
                       "their part of the bounds is an outer bound (each rule anywhere between none and all of its "
                       "points)")
            lows, highs = self.outer(group.rules)
            return _Extremes(group.rules, tuple(lows), tuple(highs), (message,))
        test, measure = dict(self.values), dict(self.values)
        factors = []
        for position, scope in scopes.items():
            table = self._points_table(position, scope, known, test, measure)
            factors.append(_Factor(scope, table, table))
        low_choice, high_choice = _eliminate(order, sizes, factors)
        return _Extremes(group.rules, tuple([self._at(p, known, low_choice) for p in group.rules]),
                         tuple([self._at(p, known, high_choice) for p in group.rules]), ())

    def _points_table(self, position: int, scope: tuple[str, ...], domains: dict[str, list[Probe | None]],
                      test: dict[str, Value], measure: dict[str, Value]) -> list[float]:
        """The rule's points at each combination of the probes of the facts in its scope (`points` of each), in
        `_Factor`'s order.

        Its condition's truth depends on those facts only through the outcomes of its own leaves on them, so
        it is evaluated once per combination of outcomes; its degree, when the scope holds the degree's fact,
        only on that fact's probe (else the case's value: a true condition puts a varying degree fact in the
        scope, see `depends`)."""
        item = self.rules[position]
        ramp = item.rule.degree.fact if item.rule.degree is not None else None
        degrees: list[float | None] | None = None
        fixed: float | None = 1.0
        if item.degree is not None:
            if ramp in scope:
                degrees = [None if probe is None else item.degree({ramp: probe.measure}) for probe in domains[ramp]]
            else:
                fixed = item.degree(self.values)
        confidence, decay = self.evidence(position)
        base, total = item.base, self.compiled.total_weight
        # each combination's outcomes of the leaves as one number: per fact, each outcome's number (as first met)
        # at each probe, in mixed radix over the facts; and per fact and outcome the last probe that has it
        codes = [0]
        lasts: list[list[int]] = []
        for name in scope:
            numbers: dict[tuple[Truth, ...], int] = {}
            found = [numbers.setdefault(outcome, len(numbers)) for outcome in self._outcomes[name, position]]
            last = [0] * len(numbers)
            for k, number in enumerate(found):
                last[number] = k
            lasts.append(last)
            codes = [code * len(last) + number for code in codes for number in found]
        met: dict[int, Truth] = {}  # each code met (in order), with the truth at its last combination
        for code in dict.fromkeys(codes):
            rest = code
            for name, last in zip(reversed(scope), reversed(lasts), strict=True):
                rest, number = divmod(rest, len(last))
                _put(test, measure, name, domains[name][last[number]])
            met[code] = item.when(test)
        if degrees is None:
            on = 0.0 if fixed is None else base * fixed * confidence * decay / total + 0.0
            points = {code: on if truth else 0.0 for code, truth in met.items()}
            return list(map(points.__getitem__, codes))
        at = scope.index(cast(str, ramp))
        ramped = [0.0 if degree is None else base * degree * confidence * decay / total + 0.0 for degree in degrees]
        # the ramp's points at each combination (its probe varies once per combination of the facts after it)
        before = math.prod(len(domains[name]) for name in scope[:at])
        after = math.prod(len(domains[name]) for name in scope[at + 1:])
        column = [points for _ in range(before) for points in ramped for _ in range(after)]
        return [points if met[code] else 0.0 for points, code in zip(column, codes, strict=True)]

    def _at(self, position: int, domains: dict[str, list[Probe | None]], choice: dict[str, int]) -> float:
        test, measure = dict(self.values), dict(self.values)
        for name in self.depends()[position]:
            _put(test, measure, name, domains[name][choice[name]])
        return self.points(position, test, measure)


def _inside(table: _Table, probes: list[Probe], places: list[int | None]) -> None:
    """For each probe of a number inside a piece of its domain (between two successive ends of pieces, which are
    the probes' measures) that the table does not hold, the place of a value of the table inside the same piece,
    where there is one: no leaf tells the values inside a piece apart (its ends split the leaves' values)."""
    ends: list[Any] = sorted({probe.measure for probe in probes})
    ascending = table.ascending
    found: dict[Any, int | None] = {}  # test value -> its place (a piece's two limits test the same value)
    for j, probe in enumerate(probes):
        test = probe.test
        if places[j] is None and test != probe.measure:
            if test not in found:
                k = bisect.bisect_left(ends, test)
                held = bisect.bisect_right(ascending, ends[k - 1])
                found[test] = table.ranks[held] if held < len(ascending) and ascending[held] < ends[k] else None
            places[j] = found[test]


Picker = Callable[[Sequence[Any]], Sequence[Any]]


def _picker(places: Sequence[int]) -> Picker:
    """A function picking a sequence's entries at `places`, at once (`operator.itemgetter`, which gives the entry
    itself, not a tuple of one, for one place)."""
    if len(places) == 1:
        place = places[0]
        return lambda found: (found[place],)
    return cast(Picker, operator.itemgetter(*places)) if places else lambda found: ()


def _put(test: dict[str, Value], measure: dict[str, Value], name: str, probe: Probe | None) -> None:
    if probe is None:
        test.pop(name, None)
        measure.pop(name, None)
    else:
        test[name] = probe.test
        measure[name] = probe.measure


# --- variable elimination (max-sum and min-sum together) -------------------------------------------------

@dataclass(slots=True)  # not frozen: made per case, and making a frozen one costs several times more
class _Factor:
    """A table over the probes of `scope` (indices into each fact's domain): least and greatest points, one entry
    per combination of the probes in `itertools.product` order (the last fact's probe varying fastest)."""

    scope: tuple[str, ...]
    low: list[float]
    high: list[float]


def _elimination_order(sizes: dict[str, int], scopes: list[tuple[str, ...]]) -> tuple[list[str], int]:
    """A greedy order (cheapest elimination first) and the combinations it needs, tables included."""
    work = sum(math.prod(sizes[n] for n in scope) for scope in scopes)
    remaining = [set(scope) for scope in scopes]
    order = []
    names = set(sizes)
    while names:
        joined_by = {n: set().union(*(s for s in remaining if n in s)) for n in names}
        costs = {n: math.prod(sizes[m] for m in joined) for n, joined in joined_by.items()}
        name = min(sorted(names), key=costs.__getitem__)
        work += costs[name]
        joined = joined_by[name] - {name}
        remaining = [s for s in remaining if name not in s] + [joined]
        order.append(name)
        names.discard(name)
    return order, work


def _strides(scope: tuple[str, ...], sizes: dict[str, int]) -> dict[str, int]:
    """How far apart the entries of a table over `scope` (in `_Factor`'s order) are for one step of each fact."""
    strides: dict[str, int] = {}
    step = 1
    for name in reversed(scope):
        strides[name] = step
        step *= sizes[name]
    return strides


def _starts(scope: tuple[str, ...], sizes: dict[str, int], strides: dict[str, int]) -> list[int]:
    """For each combination of the probes of `scope` (in `_Factor`'s order), the place it gives in a table whose
    `strides` are these (a fact that the table does not read moves nothing)."""
    starts = [0]
    for name in scope:
        stride = strides.get(name, 0)
        starts = [start + k * stride for start in starts for k in range(sizes[name])]
    return starts


def _spread(table: list[float], starts: list[int], stride: int, count: int) -> list[float]:
    """The table's entries at each of `count` values of one fact (a `stride` apart) after each of `starts`."""
    span = stride * count
    return list(itertools.chain.from_iterable([table[start:start + span:stride] for start in starts]))


def _eliminate(order: list[str], sizes: dict[str, int], factors: list[_Factor]) -> tuple[dict[str, int],
                                                                                       dict[str, int]]:
    """The probes (per fact) of the least and of the greatest sum of the factors."""
    steps = []
    add = operator.add
    for name in order:
        involved = [f for f in factors if name in f.scope]
        factors = [f for f in factors if name not in f.scope]
        scope = tuple(sorted({n for f in involved for n in f.scope} - {name}))
        count = sizes[name]
        # each value's sums for every combination of the rest, a factor at a time, laid out combination by
        # combination (`count` entries each): the same additions, in the same order, as one combination at a time.
        # Until a factor reads another fact than `name`, every combination has the same sums: one row of them.
        # A sum starts at 0.0 and so is never -0.0: a factor that is zero (or -0.0) throughout changes none.
        combinations = math.prod(sizes[n] for n in scope)
        least, greatest = [0.0] * count, [0.0] * count
        spread = False
        for factor in involved:
            if not any(factor.low) and (factor.high is factor.low or not any(factor.high)):
                continue
            if factor.scope == (name,):
                lows, highs = factor.low, factor.high
                if spread:
                    lows = lows * combinations
                    highs = lows if factor.high is factor.low else highs * combinations
            else:
                if not spread:
                    least, greatest, spread = least * combinations, greatest * combinations, True
                strides = _strides(factor.scope, sizes)
                starts = _starts(scope, sizes, strides)
                lows = _spread(factor.low, starts, strides[name], count)
                highs = lows if factor.high is factor.low else _spread(factor.high, starts, strides[name], count)
            least = list(map(add, least, lows))
            greatest = list(map(add, greatest, highs))
        if not spread:
            least, greatest = least * combinations, greatest * combinations
        low: list[float] = []
        high: list[float] = []
        arg_low: list[int] = []
        arg_high: list[int] = []
        for start in range(0, len(least), count):
            lows, highs = least[start:start + count], greatest[start:start + count]
            best_low, best_high = min(lows), max(highs)
            # the first value reaching each (as a strict comparison from the first value on would keep)
            low.append(best_low)
            high.append(best_high)
            arg_low.append(lows.index(best_low))
            arg_high.append(highs.index(best_high))
        steps.append((name, scope, arg_low, arg_high))
        factors.append(_Factor(scope, low, high))
    low_choice: dict[str, int] = {}
    high_choice: dict[str, int] = {}
    for name, scope, arg_low, arg_high in reversed(steps):
        strides = _strides(scope, sizes)
        low_choice[name] = arg_low[sum(low_choice[n] * strides[n] for n in scope)]
        high_choice[name] = arg_high[sum(high_choice[n] * strides[n] for n in scope)]
    return low_choice, high_choice
