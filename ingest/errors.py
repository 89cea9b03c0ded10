"""The one error type ingest/ raises for a landing file it cannot accept."""

from __future__ import annotations


class LandingFileError(ValueError):
    """A landing file is malformed or not what its source promises.

    The message always starts with the file (full path or s3:// URI) and then says what is wrong and what was
    expected, e.g. ``s3://bucket/cur/data/...-00001.snappy.parquet: line 12, column line_item_unblended_cost: 'abc' is
    not a decimal number``.
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
