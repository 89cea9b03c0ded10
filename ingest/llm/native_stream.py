"""A native JSONL file read in bounded batches: byte ranges of about BATCH_BYTES, each cut after a newline, each
parsed by native.py's rules (polars' vectorised path when the batch is plainly typed, else line by line).

Memory is then a batch's, whatever the file's size. What a batch cannot see is left to its reader:
``duplicate_event_id`` is decided within a batch here; a line whose ``event_id`` an earlier *batch* of the same file
had is marked by the LLM asset, which holds every batch of a run in its staging table (defs/llm/staging.py).
A line number in an error (not JSON, not UTF-8, not an object) is the line's number in the whole file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

import polars as pl

from ingest.errors import LandingFileError
from ingest.llm.native import TEXT_KEYS, parse_native_lines
from ingest.llm.native_fast import parse_plain_native

BATCH_BYTES = 16 * 1024 * 1024  # one batch's bytes; its frames take a few times this
_BOM = b"\xef\xbb\xbf"


def byte_batches(stream: BinaryIO, batch_bytes: int = BATCH_BYTES) -> Iterator[tuple[int, bytes]]:
    """(number of the batch's first line, its bytes) for consecutive ranges of `stream`, each ending just after a
    newline (the last one at the end of the stream); a file's leading BOM is dropped."""
    line, carry, first = 1, b"", True
    while True:
        block = stream.read(batch_bytes)
        if first:
            block, first = block.removeprefix(_BOM), False
        if not block:
            break
        data = carry + block
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # one line longer than a batch: read on until its end
            carry = data
            continue
        batch, carry = data[:cut], data[cut:]
        yield line, batch
        line += batch.count(b"\n")
    if carry:
        yield line, carry


def _text(batch: bytes, first_line: int, source_file: str) -> str:
    try:
        return batch.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + batch.count(b"\n", 0, exc.start)
        raise LandingFileError(source_file, f"line {line}: not UTF-8 text ({exc})") from exc


def parse_native_batch(batch: bytes, first_line: int, source_file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One batch of whole lines → (LLM_EVENTS rows, LLM_EVENTS_QUARANTINE rows), as native.parse_native_jsonl."""
    content = _text(batch, first_line, source_file)
    fast = parse_plain_native(batch, content, source_file, TEXT_KEYS)
    return fast if fast is not None else parse_native_lines(content, source_file, first_line=first_line)


def iter_native_jsonl(stream: BinaryIO, source_file: str,
                      batch_bytes: int = BATCH_BYTES) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """(events, quarantined) per batch of the native JSONL `stream`; see the module docstring."""
    for first_line, batch in byte_batches(stream, batch_bytes):
        yield parse_native_batch(batch, first_line, source_file)


def open_stream(landing, key: str) -> BinaryIO:
    """The file `key` of `landing` as a binary stream: read from disk as it goes, or (S3) the object's bytes."""
    path = landing.local_path(key)
    if path is None:
        return io.BytesIO(landing.read_bytes(key))
    try:
        return path.open("rb")
    except FileNotFoundError as exc:
        raise LandingFileError(landing.describe(key), "no such file") from exc
