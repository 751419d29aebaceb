"""Score many case files, in one process or several, with the same output either way.

Each worker loads the pack once (from its folder) and turns each case file into its renderer's part:
plain text or data, so it crosses a process boundary. `score_files` yields the outcomes in input
order as they are ready, so a streaming format prints its first case before the last is read, and
`--jobs N` gives the same bytes as one job. Once the caller has seen an error it can ask that the
rest only be checked (`checking_only`): an all-or-nothing run then reads every file once and scores
no more than it must.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.compile import CompiledPack, compile_pack
from ..core.model import Case, Observation, Value
from ..files.case import check_case
from ..files.pack import load_pack
from ..problems import Problem
from ..reports.registry import RENDERERS, Scores, Style
from .assess import assess

if TYPE_CHECKING:
    from ..core.evaluate import Result

CHUNKS_PER_WORKER = 8  # small enough chunks that the first results come back early, large enough to amortise
IN_FLIGHT = 2  # chunks per worker sent ahead: each has the next one queued while its result is read


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
    problems: tuple[Problem, ...]  # the file's own: what checking it found
    part: Any  # the renderer's part for the case; None when the file does not load or was only checked
    warnings: tuple[Problem, ...] = ()  # the located warnings of scoring it


class _Scorer:
    def __init__(self, job: Job, compiled: CompiledPack | None = None) -> None:
        self.job = job
        self.compiled: CompiledPack = compiled if compiled is not None else compile_pack(load_pack(job.rules))
        renderer = RENDERERS[job.output].scores
        assert renderer is not None, f"format '{job.output}' renders no scores"
        self.renderer: Scores = renderer

    def __call__(self, path: Path, checking_only: bool = False) -> FileOutcome:
        case, problems = check_case(path, self.compiled.pack, str(path))
        if case is None or checking_only:
            return FileOutcome(tuple(problems), None)
        case = hypothetical(case, self.job.overrides)
        result = assess(case, self.compiled, self.job.as_of)
        if self.job.output == "html":  # the brief charts the case's history: only it needs the timeline
            result = self._with_history(case, result)
        located = tuple(w for w in result.warnings if w.line is not None)
        return FileOutcome(tuple(problems), self.renderer.part(result, self.job.style), located)

    def _with_history(self, case: Case, result: Result) -> Result:
        from .timeline import dates, timeline

        if len(dates(case, end=result.as_of)) < 2:
            return result
        compiled = self.compiled
        steps = timeline(case, lambda day: assess(case, compiled, day), end=result.as_of)
        return dataclasses.replace(result, history=steps)


def hypothetical(case: Case, overrides: Mapping[str, Value]) -> Case:
    """The case with each overridden fact stated hypothetically: one observation, confidence 1, no decay."""
    if not overrides:
        return case
    facts = {**case.facts, **{name: (Observation(value, hypothetical=True),) for name, value in overrides.items()}}
    return dataclasses.replace(case, facts=facts)


_worker: _Scorer | None = None
# The pack this process compiled for the run, set before its workers start: a worker forked from it (the
# default on Linux) finds it here and starts scoring at once; one started by spawn finds None and loads it.
_parent_pack: CompiledPack | None = None


def _start(job: Job) -> None:
    global _worker
    _worker = _Scorer(job, _parent_pack)


def _score(paths: Sequence[Path], checking_only: bool) -> list[FileOutcome]:
    assert _worker is not None
    return [_worker(path, checking_only) for path in paths]


def score_files(job: Job, files: Sequence[Path], jobs: int = 1, compiled: CompiledPack | None = None,
                checking_only: Callable[[], bool] = lambda: False) -> Iterator[FileOutcome]:
    """Each file's outcome, in input order. In this process the pack is `compiled` when given (it is
    `job.rules`, loaded already), and a worker forked from this process starts with it; one started by
    spawn loads it for itself. A file is only checked, not scored, when `checking_only()` is true as its
    turn comes (with several jobs: as its chunk is sent)."""
    if jobs <= 1 or len(files) < 2:
        scorer = _Scorer(job, compiled)
        yield from (scorer(path, checking_only()) for path in files)
        return
    from concurrent.futures import Future, ProcessPoolExecutor  # 10 ms of start-up: only several jobs need it

    size = max(1, len(files) // (jobs * CHUNKS_PER_WORKER))
    chunks = [files[start:start + size] for start in range(0, len(files), size)]
    global _parent_pack
    _parent_pack = compiled
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_start, initargs=(job,)) as pool:
            # a window of chunks in flight, so that what is sent later sees what came back, and results
            # wait in memory no longer than their turn
            sent: deque[Future[list[FileOutcome]]] = deque()
            for chunk in chunks:
                if len(sent) == jobs * IN_FLIGHT:
                    yield from sent.popleft().result()
                sent.append(pool.submit(_score, chunk, checking_only()))
            while sent:
                yield from sent.popleft().result()
    finally:
        _parent_pack = None
