"""A terse console logger for `unitcost run`: one line per step start, finish, failure and check."""

import logging
import sys
import time

import dagster as dg

_SHOWN = {"STEP_START", "STEP_SUCCESS", "STEP_FAILURE", "ASSET_CHECK_EVALUATION", "RUN_FAILURE"}


class _StepLines(logging.Filter):
    def __init__(self):
        super().__init__()
        self.started = time.monotonic()

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
            check = getattr(data, "check_name", "")
            detail = f"{check}: {'passed' if getattr(data, 'passed', False) else 'FAILED'}"
        elif kind in ("STEP_FAILURE", "RUN_FAILURE"):
            detail = record.getMessage().split(" - ")[-1][:2000]
        label = {"STEP_START": "start", "STEP_SUCCESS": "done", "STEP_FAILURE": "FAILED",
                 "ASSET_CHECK_EVALUATION": "check", "RUN_FAILURE": "RUN FAILED"}[kind]
        record.msg = f"[{elapsed:6.1f}s] {label:<6} {step} {detail}".rstrip()
        record.args = ()
        return True


@dg.logger(description="one line per step, for the unitcost command line")
def step_progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.getLogger("unitcost.progress")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    if not log.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.addFilter(_StepLines())
        log.addHandler(handler)
    return log
