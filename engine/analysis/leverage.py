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

Every figure is then recomputed exactly for the values that reach it, in the arithmetic of `weigh`
(the points of the rules the values change, added to an exact expansion of the case's own sum), so a figure
equals the score those values give, to the last bit. Where a group would need more than `LIMIT`
combinations, its part is each rule's own extreme instead: the figure is then an outer bound, and
`Leverage.limits` says so, naming the facts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..core.compile import CompiledPack, compile_condition
from ..core.evaluate import Evidence, Weighing, in_use, weigh
from ..core.model import AnyOf, Band, Case, Condition, Fact, Leaf, Not, Value
from ..core.operators import OPERATORS, Test
from .sensitivity import Interval, weight_interval

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


def leverage(compiled: CompiledPack, case: Case, as_of: dt.date | None = None) -> Leverage:
    """Bounds, gaps, counterfactuals and the weight sensitivity of one case, weighing it once."""
    weighing = weigh(case, compiled, as_of)
    analysis = _Analysis(compiled, weighing, case)
    found_bounds, found_gaps = analysis.bounds(), analysis.gaps()
    found_counterfactuals = analysis.counterfactuals()
    return Leverage(found_bounds, found_gaps, found_counterfactuals, weight_interval(compiled, weighing),
                    tuple(analysis.limits))


# --- the values of one fact that matter, by type ---------------------------------------------------------

@dataclass(frozen=True, slots=True)
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
    """Whole numbers: each named value, the nearest whole numbers on each side of it, and the bounds."""
    low = None if fact.min is None else math.ceil(fact.min)
    high = None if fact.max is None else math.floor(fact.max)
    return [Probe(v, v) for v in _around(named, low, high, current, 0)]


def _around(named: Named, low: int | None, high: int | None, current: Any, fallback: int) -> list[int]:
    """Whole numbers that matter between `low` and `high`: a run of numbers no named value splits has its
    extremes at its ends, which are the named values' neighbours, the bounds, and the current value's."""
    found: set[int] = {x for x in (low, high) if x is not None}
    for point in named:
        found.update((math.ceil(point) - 1, math.floor(point) + 1))
        if point == math.floor(point):
            found.add(int(point))
    if current is not None:
        found.update((current - 1, current + 1))
    if not found:
        found.add(fallback)  # nothing compares it: one value stands for all
    return sorted(x for x in found if (low is None or x >= low) and (high is None or x <= high) and x != current)


_SOME_DAY = dt.date(2000, 1, 1)


def _date_probes(fact: Fact, named: Named, current: Current) -> list[Probe]:
    """Dates: as whole numbers of days, within the dates Python can represent."""
    days = _around([d.toordinal() for d in named], 1, dt.date.max.toordinal(),
                   None if not isinstance(current, dt.date) else current.toordinal(), _SOME_DAY.toordinal())
    return [Probe(day, day) for day in map(dt.date.fromordinal, days)]


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
    if fact.values is None:
        spare: str | None = _fresh(items)
    else:
        spare = next((v for v in fact.values if v not in items), None)
    probes = []
    for size in range(len(items) + 1):
        for chosen in itertools.combinations(items, size):
            options = [chosen, (*chosen, spare) if spare is not None else None,
                       tuple(reversed(chosen)) if size >= 2 else None]
            found = next((o for o in options if o is not None and o != current), None)
            if found is not None:
                probes.append(Probe(found, found))
    return probes


_PROBES: dict[str, Callable[[Fact, Named, Current], list[Probe]]] = {
    "boolean": _boolean_probes,
    "integer": _whole_probes,
    "number": _number_probes,
    "string": _string_probes,
    "date": _date_probes,
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


@dataclass(frozen=True)
class _Index:
    readers: dict[str, tuple[_Reader, ...]]  # fact -> the rules reading it, in pack order
    closures: dict[int, Test]                # id(leaf) -> the leaf's compiled closure


_INDEXES: OrderedDict[int, tuple[CompiledPack, _Index]] = OrderedDict()


def _index(compiled: CompiledPack) -> _Index:
    """The pack's index, kept for the last few packs (it depends on the pack alone, like its compilation)."""
    entry = _INDEXES.get(id(compiled))
    if entry is not None and entry[0] is compiled:
        _INDEXES.move_to_end(id(compiled))
        return entry[1]
    readers: dict[str, list[_Reader]] = {}
    closures: dict[int, Test] = {}
    for position, item in enumerate(compiled.rules):
        leaves = _leaves(item.rule.when)
        for leaf in leaves:
            closures[id(leaf)] = compile_condition(leaf)
        degree = item.rule.degree
        for name in item.facts:
            own = [leaf for leaf in leaves if leaf.fact == name]
            ramp = degree is not None and degree.fact == name
            named = [v for leaf in own for v in OPERATORS[leaf.operator].names(leaf.operand)]
            if degree is not None and ramp:
                named += [degree.start, degree.end]
            readers.setdefault(name, []).append(_Reader(
                position, tuple(closures[id(leaf)] for leaf in own), tuple(named),
                any(leaf.operator == "known" for leaf in own), ramp))
    index = _Index({name: tuple(found) for name, found in readers.items()}, closures)
    _INDEXES[id(compiled)] = (compiled, index)
    if len(_INDEXES) > 8:
        _INDEXES.popitem(last=False)
    return index


def _leaves(condition: Condition) -> list[Leaf]:
    if isinstance(condition, Leaf):
        return [condition]
    if isinstance(condition, Not):
        return _leaves(condition.part)
    return [leaf for part in condition.parts for leaf in _leaves(part)]


@dataclass(frozen=True, slots=True)
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


# --- exact sums ------------------------------------------------------------------------------------------

def _expansion(numbers: Iterable[float]) -> list[float]:
    """Non-overlapping partials whose exact sum is the numbers' exact sum (Shewchuk; what math.fsum keeps)."""
    partials: list[float] = []
    for number in numbers:
        x = number
        kept = 0
        for y in partials:
            if abs(x) < abs(y):
                x, y = y, x
            high = x + y
            low = y - (high - x)
            if low:
                partials[kept] = low
                kept += 1
            x = high
        partials[kept:] = [x]
    return partials


# --- one case --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Reach:
    """What one fact alone can do: the rules it changes, the least and greatest score, and those rules'
    points at each."""

    positions: tuple[int, ...]
    low: float
    high: float
    low_points: Sequence[float]
    high_points: Sequence[float]


@dataclass(frozen=True)
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
        points = {id(weighed.rule): weighed.points for weighed in weighing.evaluated}
        self.now = [points.get(id(item), 0.0) for item in self.rules]
        self.base = _expansion([50.0, *self.now])
        self.limits: list[str] = []
        self._evidence: dict[int, tuple[float, float]] = {}
        self._depends: dict[int, frozenset[str]] | None = None
        self._domains: dict[str, list[Probe | None] | None] = {}
        self._alone: dict[str, _Reach | None] = {}
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
        return min(100.0, max(0.0, total))

    def lever(self, name: str, low: float, high: float) -> Lever:
        return Lever(name, low, high, _bands(self.pack.bands, low, high))

    def outer(self, rules: Iterable[int]) -> tuple[list[float], list[float]]:
        """Each rule's least and greatest possible points: none, or all of them at confidence and decay 1."""
        full = [self.rules[p].base / self.compiled.total_weight for p in rules]
        return [min(0.0, f) for f in full], [max(0.0, f) for f in full]

    # one fact at a time: gaps and counterfactuals

    def gaps(self) -> tuple[Lever, ...]:
        levers = []
        score = self.weighing.score
        for name in sorted(n for n in self.index.readers if n not in self.values):
            reach = self.alone(name, None)
            if reach is not None:
                # leaving it unstated is one of the ways: the case's own score
                low, high = min(reach.low, score), max(reach.high, score)
                if low != high:
                    levers.append(self.lever(name, low, high))
        return _ordered(levers)

    def counterfactuals(self) -> tuple[Lever, ...]:
        levers = []
        for name in sorted(n for n in self.weighing.observations if n in self.index.readers):
            reach = self.alone(name, self.values[name])
            removed = self.removed(name)
            low, high = (removed, removed) if reach is None else (min(reach.low, removed), max(reach.high, removed))
            if low != high:
                levers.append(self.lever(name, low, high))
        return _ordered(levers)

    def alone(self, name: str, current: Current) -> _Reach | None:
        """The least and greatest score when fact `name` alone takes any value (other than `current`, when
        given), the rest as the case is; None when there is no such value. Kept for unstated facts.

        A rule whose condition the other facts already decide (by Kleene logic: stating a value only ever
        settles an unknown part, unless a `known:` leaf reads the fact) changes, if at all, only by a degree
        on the fact. A rule's points depend on the value only through its own leaves and degree on it, so
        they are computed once per outcome of those."""
        if current is None and name in self._alone:
            return self._alone[name]
        test = dict(self.values)
        test.pop(name, None)
        measure = dict(test)
        readers = []
        for reader in self.index.readers[name]:
            truth = None if reader.known else self.rules[reader.position].when(test)
            if truth is None or (truth and reader.ramp):
                readers.append((reader, truth is None))
        if readers:
            reach = self._reach(name, current, readers, test, measure)
        else:
            # no rule can change: every other value there is scores as the case does
            fact = self.pack.facts[name]
            others = _PROBES[fact.type](fact, (), current)
            score = self.weighing.score
            reach = _Reach((), score, score, (), ()) if others else None
        if current is None:
            self._alone[name] = reach
        return reach

    def _reach(self, name: str, current: Current, readers: list[tuple[_Reader, bool]], test: dict[str, Value],
               measure: dict[str, Value]) -> _Reach | None:
        positions = tuple(reader.position for reader, _ in readers)
        fact = self.pack.facts[name]
        try:
            probes = _PROBES[fact.type](fact, [v for reader, _ in readers for v in reader.named], current)
        except _TooMany:
            self.limits.append(f"'{name}': its values fall into more than {LIMIT:,} classes; its range is an "
                               "outer bound (each rule anywhere between none and all of its points)")
            lows, highs = self.outer(positions)
            return _Reach(positions, self.figure(positions, lows), self.figure(positions, highs), lows, highs)
        degrees = [self.rules[reader.position].degree if reader.ramp else None for reader, _ in readers]
        leaves = [reader.leaves if open_when else () for reader, open_when in readers]
        outcomes: list[dict[tuple[Any, ...], float]] = [{} for _ in readers]
        figures: dict[tuple[float, ...], float] = {}
        settled = [*self.base, *(-self.now[p] for p in positions)]
        for probe in probes:
            one_test, one_measure = {name: probe.test}, {name: probe.measure}
            points = []
            for reader, own, degree, seen in zip(readers, leaves, degrees, outcomes, strict=True):
                key: tuple[Any, ...] = tuple([leaf(one_test) for leaf in own])
                if degree is not None:
                    key = (*key, degree(one_measure))
                found = seen.get(key)
                if found is None:
                    _put(test, measure, name, probe)
                    found = seen[key] = self.points(reader[0].position, test, measure)
                points.append(found)
            vector = tuple(points)
            if vector not in figures:
                figures[vector] = min(100.0, max(0.0, math.fsum([*settled, *vector])))
        if not figures:
            return None
        low = min(figures, key=figures.__getitem__)
        high = max(figures, key=figures.__getitem__)
        return _Reach(positions, figures[low], figures[high], low, high)

    def removed(self, name: str) -> float:
        """The score once the fact's observation in use is removed: the next one of its history then in use
        (with its own grades and date), if any; else the fact is unstated, and no longer evidence."""
        history = self.case.facts[name]
        following = None
        if len(history) > 1:
            chosen = self.weighing.observations[name]
            rest = tuple(o for o in history if o is not chosen)
            following = in_use(replace(self.case, facts={name: rest}), self.weighing.as_of)[0].get(name)
        evidence = self._spare()
        saved = evidence.confidences.pop(name), evidence.ages.pop(name)
        test = dict(self.values)
        if following is None:
            del test[name]
        else:
            own = Evidence(self.pack, self.case, {name: following}, self.weighing.as_of)
            evidence.confidences[name], evidence.ages[name] = own.confidences[name], own.ages[name]
            test[name] = following.value
        positions = [reader.position for reader in self.index.readers[name]]
        figure = self.figure(positions, [self.points(p, test, test, evidence.of(self.rules[p])) for p in positions])
        evidence.confidences[name], evidence.ages[name] = saved
        return figure

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
            varying = frozenset(n for n in self.index.readers if n not in self.values)
            self._depends = {}
            for name in sorted(varying):
                for reader in self.index.readers[name]:
                    if reader.position in self._depends:
                        continue
                    item = self.rules[reader.position]
                    live = _live(item.rule.when, self.values, varying, self.index.closures)
                    facts = set(live.facts)
                    degree = item.rule.degree
                    if degree is not None and degree.fact in varying and (facts or live.truth is True):
                        facts.add(degree.fact)
                    self._depends[reader.position] = frozenset(facts)
        return self._depends

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
                self._domains[name] = [None, *self._distinct(name, probes, readers)]
        return self._domains[name]

    def _distinct(self, name: str, probes: list[Probe], readers: list[_Reader]) -> list[Probe]:
        """The first probe of each class that no leaf and no degree on the fact tells apart."""
        leaves = [leaf for reader in readers for leaf in reader.leaves]
        degrees = [d for reader in readers if reader.ramp and (d := self.rules[reader.position].degree) is not None]
        seen: set[tuple[Any, ...]] = set()
        kept = []
        for probe in probes:
            test, measure = {name: probe.test}, {name: probe.measure}
            signature = (*(leaf(test) for leaf in leaves), *(degree(measure) for degree in degrees))
            if signature not in seen:
                seen.add(signature)
                kept.append(probe)
        return kept

    def groups(self) -> list[_Group]:
        """Rules connected by the unstated facts they depend on, with those facts."""
        parent: dict[str, str] = {}

        def find(name: str) -> str:
            while parent.setdefault(name, name) != name:
                name = parent[name]
            return name

        depending = {p: sorted(facts) for p, facts in sorted(self.depends().items()) if facts}
        for first, *rest in depending.values():
            for other in rest:
                parent[find(other)] = find(first)
        rules: dict[str, list[int]] = {}
        facts: dict[str, set[str]] = {}
        for position, names in depending.items():
            root = find(names[0])
            rules.setdefault(root, []).append(position)
            facts.setdefault(root, set()).update(names)
        return [_Group(tuple(sorted(facts[root])), tuple(rules[root])) for root in sorted(rules)]

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
        if len(group.facts) == 1:
            # one fact: what it does alone, or nothing (leaving it unstated is one of the ways)
            reach = self.alone(group.facts[0], None)
            if reach is None:
                return [], [], []
            now = [self.now[p] for p in reach.positions]
            score = self.weighing.score
            return (list(reach.positions), now if score < reach.low else reach.low_points,
                    now if score > reach.high else reach.high_points)
        domains = {name: self.domain(name) for name in group.facts}
        known = {name: d for name, d in domains.items() if d is not None}
        sizes = {name: len(d) for name, d in known.items()}
        scopes = {p: tuple(sorted(self.depends()[p])) for p in group.rules}
        order, work = _elimination_order(sizes, list(scopes.values())) if len(known) == len(domains) else ([], 0)
        if len(known) < len(domains) or work > LIMIT:
            self.limits.append(f"bounds: the rules reading {', '.join(group.facts)} need more than {LIMIT:,} "
                               "combinations; their part of the bounds is an outer bound (each rule anywhere "
                               "between none and all of its points)")
            return [*group.rules], *self.outer(group.rules)
        test, measure = dict(self.values), dict(self.values)
        factors = []
        for position, scope in scopes.items():
            table: dict[tuple[int, ...], float] = {}
            for key in itertools.product(*(range(sizes[name]) for name in scope)):
                for name, k in zip(scope, key, strict=True):
                    _put(test, measure, name, known[name][k])
                table[key] = self.points(position, test, measure)
            factors.append(_Factor(scope, table, table))
        low_choice, high_choice = _eliminate(order, sizes, factors)
        return ([*group.rules], [self._at(p, known, low_choice) for p in group.rules],
                [self._at(p, known, high_choice) for p in group.rules])

    def _at(self, position: int, domains: dict[str, list[Probe | None]], choice: dict[str, int]) -> float:
        test, measure = dict(self.values), dict(self.values)
        for name in self.depends()[position]:
            _put(test, measure, name, domains[name][choice[name]])
        return self.points(position, test, measure)


def _put(test: dict[str, Value], measure: dict[str, Value], name: str, probe: Probe | None) -> None:
    if probe is None:
        test.pop(name, None)
        measure.pop(name, None)
    else:
        test[name] = probe.test
        measure[name] = probe.measure


def _ordered(levers: list[Lever]) -> tuple[Lever, ...]:
    return tuple(sorted(levers, key=lambda lever: (-(lever.high - lever.low), lever.fact)))


def _bands(bands: Sequence[Band], low: float, high: float) -> tuple[str, ...]:
    """The labels, ascending, of the bands [low, high] reaches into (a band runs up to the next one's start)."""
    labels = []
    for position, band in enumerate(bands):
        end = bands[position + 1].start if position + 1 < len(bands) else math.inf
        if high >= band.start and low < end:
            labels.append(band.label)
    return tuple(labels)


# --- variable elimination (max-sum and min-sum together) -------------------------------------------------

@dataclass(frozen=True)
class _Factor:
    """A table over the probes of `scope` (indices into each fact's domain): least and greatest points."""

    scope: tuple[str, ...]
    low: dict[tuple[int, ...], float]
    high: dict[tuple[int, ...], float]


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


def _eliminate(order: list[str], sizes: dict[str, int], factors: list[_Factor]) -> tuple[dict[str, int],
                                                                                       dict[str, int]]:
    """The probes (per fact) of the least and of the greatest sum of the factors."""
    steps = []
    for name in order:
        involved = [f for f in factors if name in f.scope]
        factors = [f for f in factors if name not in f.scope]
        scope = tuple(sorted({n for f in involved for n in f.scope} - {name}))
        positions = [tuple((*scope, name).index(n) for n in f.scope) for f in involved]
        low: dict[tuple[int, ...], float] = {}
        high: dict[tuple[int, ...], float] = {}
        arg_low: dict[tuple[int, ...], int] = {}
        arg_high: dict[tuple[int, ...], int] = {}
        for key in itertools.product(*(range(sizes[n]) for n in scope)):
            best_low, best_high, at_low, at_high = math.inf, -math.inf, 0, 0
            for value in range(sizes[name]):
                full = (*key, value)
                least = greatest = 0.0
                for factor, where in zip(involved, positions, strict=True):
                    entry = tuple(full[i] for i in where)
                    least += factor.low[entry]
                    greatest += factor.high[entry]
                if least < best_low:
                    best_low, at_low = least, value
                if greatest > best_high:
                    best_high, at_high = greatest, value
            low[key], high[key], arg_low[key], arg_high[key] = best_low, best_high, at_low, at_high
        steps.append((name, scope, arg_low, arg_high))
        factors.append(_Factor(scope, low, high))
    low_choice: dict[str, int] = {}
    high_choice: dict[str, int] = {}
    for name, scope, arg_low, arg_high in reversed(steps):
        low_choice[name] = arg_low[tuple(low_choice[n] for n in scope)]
        high_choice[name] = arg_high[tuple(high_choice[n] for n in scope)]
    return low_choice, high_choice
