"""One view of a landing zone, whether it is a local folder or an ``s3://bucket/prefix``.

Parsers only ever see relative keys (``data/BILLING_PERIOD=2026-10/x.parquet``), so the same code and the same
tests run against a folder and against S3. S3 goes through boto3's standard credential chain (environment, shared
config, instance/role credentials); ``endpoint_url`` points it at MinIO or moto. Nothing here logs, and no message
ever contains a credential: errors name the object (``describe``) and the S3 error code only.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

from ingest.errors import LandingFileError

_NOT_FOUND_CODES = {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


class Landing:
    """A folder or ``s3://bucket/prefix`` holding files exactly as an upstream tool wrote them.

    ``Landing(uri, endpoint_url=None, base_dir=None)``: a folder URI may be relative (resolved against
    ``base_dir``, else the current directory) or ``file://``. Keys are relative, ``/``-separated, never start
    with ``/`` and never contain ``..``.
    """

    def __init__(self, uri: str, endpoint_url: str | None = None, base_dir: Path | None = None) -> None:
        self.uri = str(uri)
        self.endpoint_url = endpoint_url
        self.page_size = 1000  # S3 ListObjectsV2 page size (the API's maximum)
        self._client: Any = None
        if self.uri.startswith("s3://"):
            bucket, _, prefix = self.uri[len("s3://") :].partition("/")
            if not bucket:
                raise ValueError(f"{self.uri}: an S3 landing URI needs a bucket (s3://bucket/prefix)")
            self.bucket: str | None = bucket
            prefix = prefix.strip("/")
            self.prefix = f"{prefix}/" if prefix else ""
            self.root: Path | None = None
        else:
            path = self.uri[len("file://") :] if self.uri.startswith("file://") else self.uri
            root = Path(path).expanduser()
            if not root.is_absolute():
                root = (base_dir or Path.cwd()) / root
            self.bucket = None
            self.prefix = ""
            self.root = root.resolve()

    # -- public interface -------------------------------------------------------------------------------------
    @property
    def is_s3(self) -> bool:
        return self.bucket is not None

    def list(self, prefix: str = "") -> list[str]:
        """Every file key under ``prefix`` (a plain string prefix, as S3 means it), recursive, sorted."""
        if self.is_s3:
            return sorted(self._s3_keys(prefix))
        return sorted(self._folder_keys(prefix))

    def read_bytes(self, key: str) -> bytes:
        self._check_key(key)
        if self.is_s3:
            try:
                response = self._s3().get_object(Bucket=self.bucket, Key=self.prefix + key)
                return response["Body"].read()
            except Exception as exc:  # botocore ClientError and friends; never echo request details
                code = _error_code(exc)
                if code in _NOT_FOUND_CODES:
                    raise LandingFileError(self.describe(key), "no such object") from exc
                raise LandingFileError(self.describe(key), f"cannot read the object ({code})") from exc
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise LandingFileError(self.describe(key), "no such file") from exc

    def write_bytes(self, key: str, data: bytes) -> None:
        """Store ``data`` at ``key`` whole (a folder file is written beside and renamed into place), so a reader
        never sees half a file."""
        self._check_key(key)
        if self.is_s3:
            try:
                self._s3().put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)
            except Exception as exc:
                raise LandingFileError(self.describe(key), f"cannot write the object ({_error_code(exc)})") from exc
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.replace(path)

    def exists(self, key: str) -> bool:
        self._check_key(key)
        if self.is_s3:
            try:
                self._s3().head_object(Bucket=self.bucket, Key=self.prefix + key)
                return True
            except Exception as exc:
                if _error_code(exc) in _NOT_FOUND_CODES:
                    return False
                raise LandingFileError(self.describe(key), f"cannot check the object ({_error_code(exc)})") from exc
        return self._path(key).is_file()

    def describe(self, key: str = "") -> str:
        """The full path or URI of ``key`` (or of the landing itself), for error messages."""
        if self.is_s3:
            return f"s3://{self.bucket}/{self.prefix}{key}"
        assert self.root is not None
        return str(self.root / key) if key else str(self.root)

    def is_empty(self) -> bool:
        """True when there is no file at all (a folder that does not exist is empty)."""
        if self.is_s3:
            for _ in self._s3_keys(""):
                return False
            return True
        for _ in self._folder_keys(""):
            return False
        return True

    def local_path(self, key: str) -> Path | None:
        """The file's local path (lets readers memory-map or stream it), or None on S3."""
        self._check_key(key)
        return None if self.is_s3 else self._path(key)

    def __repr__(self) -> str:
        endpoint = f", endpoint_url={self.endpoint_url!r}" if self.endpoint_url else ""
        return f"Landing({self.uri!r}{endpoint})"

    # -- folders ----------------------------------------------------------------------------------------------
    def _path(self, key: str) -> Path:
        assert self.root is not None
        return self.root.joinpath(*PurePosixPath(key).parts)

    def _folder_keys(self, prefix: str):
        assert self.root is not None
        if not self.root.is_dir():
            return
        # Walk only the deepest folder the prefix names, then filter on the full string prefix.
        folder = prefix.rpartition("/")[0]
        start = self._path(folder) if folder else self.root
        if not start.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames.sort()
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            for name in sorted(filenames):
                key = name if rel_dir == "." else f"{rel_dir}/{name}"
                if key.startswith(prefix) and os.path.isfile(os.path.join(dirpath, name)):
                    yield key

    # -- S3 ---------------------------------------------------------------------------------------------------
    def _s3(self) -> Any:
        if self._client is None:
            import boto3  # imported lazily: folder-only users never pay for it

            self._client = boto3.client("s3", endpoint_url=self.endpoint_url)
        return self._client

    def _s3_keys(self, prefix: str):
        paginator = self._s3().get_paginator("list_objects_v2")
        try:
            pages = paginator.paginate(
                Bucket=self.bucket, Prefix=self.prefix + prefix, PaginationConfig={"PageSize": self.page_size}
            )
            for page in pages:
                for obj in page.get("Contents", []):
                    key = obj["Key"]
                    if key.endswith("/"):  # a "folder" marker written by consoles and some tools
                        continue
                    yield key[len(self.prefix) :]
        except LandingFileError:
            raise
        except Exception as exc:
            code = _error_code(exc)
            if code in _NOT_FOUND_CODES:
                raise LandingFileError(self.describe(prefix), "no such bucket") from exc
            raise LandingFileError(self.describe(prefix), f"cannot list objects ({code})") from exc

    @staticmethod
    def _check_key(key: str) -> None:
        if not key or key.startswith("/") or ".." in PurePosixPath(key).parts:
            raise ValueError(f"{key!r}: not a relative landing key")


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(exc).__name__
