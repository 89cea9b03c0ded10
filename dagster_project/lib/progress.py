"""Progress a person can follow on a long `unitcost run`: one line per step start and finish, per failure and per
failed check (a step's passed checks are counted on its `done` line), a bar
over the run's steps (done / total, elapsed, ETA) and, inside a long step, a bar of its own counts (files read, dbt
nodes built).

Assets report their counts with ``count(context, step, done, total, unit)``: the same counts go to the Dagster log
(a line at each tenth of the way, so a run seen in the Dagster UI says as much as the terminal) and, when the
command line runs the job in this process, to its bars. Bars are drawn with tqdm on a terminal only; in a log file
or a test's captured output only the lines appear.
"""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg

_SHOWN = {"STEP_START", "STEP_SUCCESS", "STEP_FAILURE", "ASSET_CHECK_EVALUATION", "RUN_FAILURE"}
_LABELS = {"STEP_START": "start", "STEP_SUCCESS": "done", "STEP_FAILURE": "FAILED",
           "ASSET_CHECK_EVALUATION": "check", "RUN_FAILURE": "RUN FAILED"}
LOG_TENTHS = 10  # a step's count is logged to Dagster this many times over its total (plus the last)


class Bars:
    """The command line's bars: one over the run's steps, one over the current step's counts (tqdm, terminal only)."""

    def __init__(self, total_steps: int, stream=None) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self.stream = stream or sys.stderr
        # on a terminal only, and only when the step lines go there too (they are written above the bars)
        self.enabled = all(getattr(s, "isatty", lambda: False)() for s in (self.stream, sys.stdout))
        self.steps = tqdm(total=total_steps, unit="step", desc="run", position=0, file=self.stream,
                          disable=not self.enabled, dynamic_ncols=True, leave=False)
        self.inner = None
        self.inner_key: tuple | None = None

    def write(self, line: str) -> None:
        """A line above the bars (printed plainly when there are none)."""
        if self.enabled:
            self._tqdm.write(line, file=self.stream)
        else:
            print(line, file=sys.stdout, flush=True)

    def step_done(self) -> None:
        self.steps.update(1)
        self._close_inner()

    def count(self, step: str, done: int, total: int, unit: str) -> None:
        if not self.enabled:
            return
        key = (step, unit)
        if self.inner_key != key:
            self._close_inner()
            self.inner = self._tqdm(total=total, unit=f" {unit}", desc=step, position=1, file=self.stream,
                                    dynamic_ncols=True, leave=False)
            self.inner_key = key
        self.inner.total = total
        self.inner.n = done
        self.inner.refresh()

    def close(self) -> None:
        self._close_inner()
        self.steps.close()

    def _close_inner(self) -> None:
        if self.inner is not None:
            self.inner.close()
        self.inner, self.inner_key = None, None


_bars: Bars | None = None  # set by the command line for the run it executes in this process


def show_bars(total_steps: int) -> Bars:
    """Start the command line's bars for a run of `total_steps` steps (stop them with ``hide_bars``)."""
    global _bars
    _bars = Bars(total_steps)
    return _bars


def hide_bars() -> None:
    global _bars
    if _bars is not None:
        _bars.close()
    _bars = None


def count(context, step: str, done: int, total: int, unit: str) -> None:
    """`done` of `total` `unit` of `step`: to the Dagster log at each tenth (and the end), and to the bars."""
    if _bars is not None:
        _bars.count(step, done, total, unit)
    tenth = max(1, total // LOG_TENTHS)
    if done == total or done % tenth == 0:
        context.log.info(f"{step}: {done} of {total} {unit}")


class _StepLines(logging.Filter):
    def __init__(self):
        super().__init__()
        self.started = time.monotonic()
        self.passed: dict[str, int] = {}  # step -> its passed checks so far

    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        kind = getattr(event, "event_type_value", None)
        if kind not in _SHOWN:
            return False
        step = meta.get("step_key") or ""
        elapsed = time.monotonic() - self.started
        detail = ""
        if kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            if getattr(data, "passed", False):
                self.passed[step] = self.passed.get(step, 0) + 1
                return False
            detail = f"{getattr(data, 'check_name', '')}: FAILED"
        elif kind == "STEP_SUCCESS" and self.passed.get(step):
            detail = f"({self.passed.pop(step)} checks passed)"
        elif kind == "STEP_FAILURE" and getattr(event.event_specific_data, "error", None) is not None:
            detail = _error_text(event.event_specific_data.error)
        elif kind in ("STEP_FAILURE", "RUN_FAILURE"):
            detail = record.getMessage().split(" - ")[-1][:2000]
        line = f"[{elapsed:6.1f}s] {_LABELS[kind]:<6} {step} {detail}".rstrip()
        if _bars is None:
            record.msg, record.args = line, ()
            return True
        _bars.write(line)
        if kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            _bars.step_done()
        return False


def _error_text(error) -> str:
    """A step's error without its stack (the Dagster log keeps that): the user code's own exception, whose message
    names the file and the problem, or dbt's last lines and its log's path."""
    while getattr(error, "cause", None) is not None and error.cls_name == "DagsterExecutionStepExecutionError":
        error = error.cause
    return error.message.strip().removeprefix("dagster._core.definitions.events.Failure: ")[:8000]


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is when a line is logged, not to the one of the first run of the process (the
    logger is made once per process; a later run may have another stdout, e.g. a captured one)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


@dg.logger(description="one line per step, for the unitcost command line")
def step_progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.getLogger("unitcost.progress")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    if not log.handlers:
        handler = _StdoutHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.addFilter(_StepLines())
        log.addHandler(handler)
    return log
