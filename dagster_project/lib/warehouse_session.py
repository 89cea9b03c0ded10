"""The warehouse file kept open for a whole run, so its steps do not each open and close it.

Opening the DuckDB file reads its catalog, and closing the last connection checkpoints it: about 0.13 s per open
on a month's warehouse, and a run opened it some forty times (every asset, check and step-bookkeeping hook). While a
run holds the file (`held`, from WarehouseResource: the run's first step to its last; every run is one process),
`connect` hands out cursors of the one open database instead; without a hold it opens and closes a connection of
its own, as before. A cursor shares the held connection's settings (the memory limit), so a step never meets
DuckDB's refusal of a second connection with other settings.

Another process cannot open the file while this one holds it: the dbt step lets go for its `dbt build`
subprocess (`let_go`) and takes the file back after it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb

_held: dict[str, tuple[duckdb.DuckDBPyConnection, dict]] = {}
_lock = threading.Lock()


def _key(path: str | Path) -> str:
    return str(Path(path).resolve())


def _open(path: str | Path, config: dict, read_only: bool = False, wait: bool = False) -> duckdb.DuckDBPyConnection:
    """`wait`: where a run opens the file, another process (a reader, not a run: the run lock keeps those out) may
    hold it for a moment, so retry with backoff for about 10 s; every other caller has its own policy."""
    if not wait:
        return duckdb.connect(str(path), read_only=read_only, config=config)
    import tenacity

    retrying = tenacity.Retrying(retry=tenacity.retry_if_exception_type(duckdb.IOException),
                                 wait=tenacity.wait_exponential(multiplier=0.1, max=2),
                                 stop=tenacity.stop_after_attempt(10), reraise=True)
    return retrying(duckdb.connect, str(path), read_only=read_only, config=config)


@contextlib.contextmanager
def held(path: str | Path, config: dict | None = None) -> Iterator[None]:
    """Keep the file open in this process until the block ends (nested holds of one file keep the first)."""
    key = _key(path)
    with _lock:
        mine = key not in _held
        if mine:
            _held[key] = (_open(path, dict(config or {}), wait=True), dict(config or {}))
    try:
        yield
    finally:
        if mine:
            with _lock:
                connection, _ = _held.pop(key, (None, None))
            if connection is not None:
                connection.close()


def is_held(path: str | Path) -> bool:
    return _key(path) in _held


@contextlib.contextmanager
def let_go(path: str | Path) -> Iterator[None]:
    """The file closed in this process for the block (another process opens it), and held again after it."""
    key = _key(path)
    with _lock:
        connection, config = _held.pop(key, (None, None))
    if connection is None:
        yield
        return
    connection.close()
    try:
        yield
    finally:
        with _lock:
            _held[key] = (_open(path, config, wait=True), config)


@contextlib.contextmanager
def connect(path: str | Path, config: dict | None = None, read_only: bool = False, wait: bool = False
            ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the file for one block: a cursor of the held database, else one opened and closed here
    (`read_only` and `wait` only then: a cursor of a held file can write, which callers that ask for read_only do
    not do; `wait` retries a file another process holds, see `_open`)."""
    with _lock:
        entry = _held.get(_key(path))
        cursor = entry[0].cursor() if entry else None
    if cursor is not None:
        try:
            yield cursor
        finally:
            cursor.close()
        return
    connection = _open(path, dict(config or {}), read_only=read_only, wait=wait)
    try:
        yield connection
    finally:
        connection.close()
