"""Score many case files, in one process or several, with the same output either way.

Each worker loads the pack once (from its folder) and turns each case file into its renderer's part:
plain text or data, so it crosses a process boundary. `score_files` yields the outcomes in input
order as they are ready, so a streaming format prints its first case before the last is read, and
`--jobs N` gives the same bytes as one job.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.compile import CompiledPack, compile_pack
from ..core.model import Case, Observation, Value
from ..files.case import check_case
from ..files.pack import load_pack
from ..problems import Problem
from ..reports.registry import RENDERERS, Scores, Style
from .assess import assess
from .timeline import dates, timeline

CHUNKS_PER_WORKER = 8  # small enough chunks that the first results come back early, large enough to amortise


@dataclass(frozen=True)
class Job:
    """What every case of one `score` run is scored with."""

    rules: str                  # the pack's folder; each worker loads it
    output: str                 # the format's name in the renderer registry
    style: Style
    as_of: dt.date | None
    overrides: Mapping[str, Value] = field(default_factory=dict)  # `--set`: stated hypothetically


@dataclass(frozen=True)
class FileOutcome:
    problems: tuple[Problem, ...]
    part: Any  # the renderer's part for the case; None when the file does not load


class _Scorer:
    def __init__(self, job: Job, compiled: CompiledPack | None = None) -> None:
        self.job = job
        self.compiled: CompiledPack = compiled if compiled is not None else compile_pack(load_pack(job.rules))
        renderer = RENDERERS[job.output].scores
        assert renderer is not None, f"format '{job.output}' renders no scores"
        self.renderer: Scores = renderer

    def __call__(self, path: Path) -> FileOutcome:
        case, problems = check_case(path, self.compiled.pack, str(path))
        if case is None:
            return FileOutcome(tuple(problems), None)
        case = hypothetical(case, self.job.overrides)
        result = assess(case, self.compiled, self.job.as_of)
        if self.job.output == "html" and len(dates(case, end=result.as_of)) > 1:
            compiled = self.compiled
            steps = timeline(case, lambda day: assess(case, compiled, day), end=result.as_of)
            result = dataclasses.replace(result, history=steps)
        located = tuple(w for w in result.warnings if w.line is not None)
        return FileOutcome((*problems, *located), self.renderer.part(result, self.job.style))


def hypothetical(case: Case, overrides: Mapping[str, Value]) -> Case:
    """The case with each overridden fact stated hypothetically: one observation, confidence 1, no decay."""
    if not overrides:
        return case
    facts = {**case.facts, **{name: (Observation(value, hypothetical=True),) for name, value in overrides.items()}}
    return dataclasses.replace(case, facts=facts)


_worker: _Scorer | None = None


def _start(job: Job) -> None:
    global _worker
    _worker = _Scorer(job)


def _score(path: Path) -> FileOutcome:
    assert _worker is not None
    return _worker(path)


def _check(path: Path) -> tuple[Problem, ...]:
    assert _worker is not None
    return tuple(check_case(path, _worker.compiled.pack, str(path))[1])


def score_files(job: Job, files: Sequence[Path], jobs: int = 1,
                compiled: CompiledPack | None = None) -> Iterator[FileOutcome]:
    """Each file's outcome, in input order. In this process the pack is `compiled` when given (it is
    `job.rules`, loaded already); each worker process loads it for itself."""
    if jobs <= 1 or len(files) < 2:
        scorer = _Scorer(job, compiled)
        yield from map(scorer, files)
        return
    yield from _pooled(_score, job, files, jobs)


def check_files(job: Job, files: Sequence[Path], jobs: int = 1,
                compiled: CompiledPack | None = None) -> Iterator[tuple[Problem, ...]]:
    """Each file's problems, in input order, without scoring it (the first pass of an all-or-nothing run)."""
    if jobs <= 1 or len(files) < 2:
        pack = (compiled or compile_pack(load_pack(job.rules))).pack
        yield from (tuple(check_case(path, pack, str(path))[1]) for path in files)
        return
    yield from _pooled(_check, job, files, jobs)


def _pooled(work: Callable[[Path], Any], job: Job, files: Sequence[Path], jobs: int) -> Iterator[Any]:
    from concurrent.futures import ProcessPoolExecutor  # only several jobs need it: 10 ms of start-up otherwise

    chunk = max(1, len(files) // (jobs * CHUNKS_PER_WORKER))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start, initargs=(job,)) as pool:
        yield from pool.map(work, files, chunksize=chunk)
