"""The output formats: one entry per `--format` name, saying how it shows each kind of result.

A kind is what a command produces: `scores` (one or many scored cases), `compare`, `timeline`,
`backtest`. An entry leaves a kind out (None) when the format has nothing sensible to say for it;
the CLI offers a command exactly the formats that render its kind. Each format's module is
imported only when that format is used (HTML brings in Jinja2 and matplotlib).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ..analysis.compare import Comparison
    from ..analysis.timeline import Step
    from ..core.evaluate import Result

Kind = Literal["scores", "compare", "timeline", "backtest"]
KINDS: tuple[Kind, ...] = ("scores", "compare", "timeline", "backtest")


@dataclass(frozen=True)
class Style:
    """How the terminal shows text: its width, and whether colour is wanted."""

    width: int = 100
    color: bool = False


@dataclass(frozen=True)
class Scores:
    """How a format shows scored cases: `part` turns one Result into plain data (it may run in a worker
    process, so it returns something picklable) and `joined` puts the parts together in input order:
    either a separator (the format streams: each part is printed as soon as it is ready, the separator
    before every part but the first) or a function of all the parts."""

    part: Callable[[Result, Style], Any]
    joined: str | Callable[[Sequence[Any]], str]

    @property
    def streams(self) -> bool:
        return isinstance(self.joined, str)

    def whole(self, parts: Sequence[Any]) -> str:
        return self.joined.join(parts) if isinstance(self.joined, str) else self.joined(parts)

    def __call__(self, results: Sequence[Result], style: Style) -> str:
        return self.whole([self.part(r, style) for r in results])


@dataclass(frozen=True)
class Renderer:
    name: str
    description: str
    scores: Scores | None
    compare: Callable[[Comparison, Style], str] | None
    timeline: Callable[[Sequence[Step], Style], str] | None
    backtest: Callable[[dict[str, Any], Style], str] | None

    def __post_init__(self) -> None:
        if all(getattr(self, kind) is None for kind in KINDS):
            raise TypeError(f"format '{self.name}' renders no kind of result")

    def renders(self, kind: Kind) -> bool:
        return getattr(self, kind) is not None


def _lazy(module: str, function: str) -> Callable[..., Any]:
    """The function, imported from `engine.reports.<module>` on first call."""
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(import_module(f".{module}", __package__), function)(*args, **kwargs)
    return call


# The report's data is plain trees that `to_dict` builds afresh, never circular: checking each container for
# a cycle only costs (about 7% of encoding a history case's report).
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, check_circular=False)


def dumps(data: Any) -> str:
    """JSON on one line with the C encoder (indenting would force the pure-Python one)."""
    return _ENCODER.encode(data)


def _json_part(result: Result, style: Style) -> str:
    return dumps(_lazy("data", "to_dict")(result))


def _json_whole(parts: Sequence[str]) -> str:
    """One object for one case, an array for several: the same text `dumps` gives for the list."""
    return (parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]") + "\n"


def _json_line(result: Result, style: Style) -> str:
    return _json_part(result, style) + "\n"


def _json_compare(comparison: Comparison, style: Style) -> str:
    return dumps(_lazy("data", "compare_dict")(comparison)) + "\n"


def _json_timeline(steps: Sequence[Step], style: Style) -> str:
    return dumps(_lazy("data", "timeline_list")(steps)) + "\n"


def _json_backtest(backtest: dict[str, Any], style: Style) -> str:
    return dumps(backtest) + "\n"


def _styled(module: str, function: str) -> Callable[[Any, Style], str]:
    render = _lazy(module, function)
    return lambda value, style: str(render(value, width=style.width, color=style.color))


def _plain(module: str, function: str) -> Callable[[Any, Style], str]:
    render = _lazy(module, function)
    return lambda value, style: str(render(value))


def _html_part(result: Result, style: Style) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return _lazy("data", "to_dict")(result), _lazy("data", "timeline_list")(result.history)


def _html_whole(parts: Sequence[tuple[dict[str, Any], list[dict[str, Any]]]]) -> str:
    timelines = {report["case"]: steps for report, steps in parts if steps}
    return str(_lazy("html", "render_scores")([report for report, _ in parts], timelines or None))


def _html_compare(comparison: Comparison, style: Style) -> str:
    return str(_lazy("html", "render_compare")(_lazy("data", "compare_dict")(comparison)))


def _html_timeline(steps: Sequence[Step], style: Style) -> str:
    report = _lazy("data", "to_dict")(steps[-1].result)
    return str(_lazy("html", "render_timeline")(report, _lazy("data", "timeline_list")(steps)))


RENDERERS: dict[str, Renderer] = {entry.name: entry for entry in (
    Renderer("text", "a report to read in a terminal", Scores(_styled("text", "to_text"), "\n"),
             _styled("text", "compare_text"), _styled("text", "timeline_text"), _styled("text", "backtest_text")),
    Renderer("json", "the JSON report of the contract (one object, or an array for several cases)",
             Scores(_json_part, _json_whole),
             _json_compare, _json_timeline, _json_backtest),
    Renderer("markdown", "a section that pastes into a document",
             Scores(_plain("markdown", "to_markdown"), "\n"),
             _plain("markdown", "compare_markdown"), _plain("markdown", "timeline_markdown"),
             _plain("markdown", "backtest_markdown")),
    Renderer("html", "one self-contained HTML brief with charts and the evidence trail",
             Scores(_html_part, _html_whole),
             _html_compare, _html_timeline, _plain("html", "render_backtest")),
    Renderer("jsonl", "one JSON report per line, in input order", Scores(_json_line, ""),
             None, None, None),
)}


def formats(kind: Kind) -> tuple[str, ...]:
    """The `--format` choices of a command that produces `kind`."""
    return tuple(name for name, entry in RENDERERS.items() if entry.renders(kind))


def render(name: str, kind: Kind, value: Any, style: Style = Style()) -> str:
    function = getattr(RENDERERS[name], kind)
    if function is None:
        raise ValueError(f"format '{name}' does not render {kind}")
    return str(function(value, style))
