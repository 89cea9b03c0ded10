"""Landing: one interface over a folder and an s3://bucket/prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import LandingFileError
from ingest.landing import Landing

FILES = {
    "a.csv": b"x\n1\n",
    "data/BILLING_PERIOD=2026-10/f1.parquet": b"p1",
    "data/BILLING_PERIOD=2026-10/sub/f2.parquet": b"p2",
    "data/BILLING_PERIOD=2026-11/f3.parquet": b"p3",
    "metadata/BILLING_PERIOD=2026-10/exp-Manifest.json": b"{}",
}


def _write_folder(root: Path) -> None:
    for key, body in FILES.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


def _write_s3(client, bucket: str, prefix: str) -> None:
    for key, body in FILES.items():
        client.put_object(Bucket=bucket, Key=f"{prefix}{key}", Body=body)
    # noise: outside the prefix, and a console-style folder marker inside it
    client.put_object(Bucket=bucket, Key="elsewhere/a.csv", Body=b"no")
    client.put_object(Bucket=bucket, Key=f"{prefix}data/", Body=b"")


def _check_interface(landing: Landing) -> None:
    assert landing.list() == sorted(FILES)
    assert landing.list("data/BILLING_PERIOD=2026-10/") == [
        "data/BILLING_PERIOD=2026-10/f1.parquet",
        "data/BILLING_PERIOD=2026-10/sub/f2.parquet",
    ]
    assert landing.list("data/BILLING_PERIOD=2026-1") == [k for k in sorted(FILES) if k.startswith("data/")]
    assert landing.list("nothing/") == []
    assert landing.read_bytes("data/BILLING_PERIOD=2026-10/sub/f2.parquet") == b"p2"
    assert landing.exists("a.csv")
    assert not landing.exists("b.csv")
    assert not landing.is_empty()
    with pytest.raises(LandingFileError) as excinfo:
        landing.read_bytes("missing.json")
    assert excinfo.value.path == landing.describe("missing.json")
    assert str(excinfo.value).startswith(landing.describe("missing.json") + ": ")


def test_folder_landing_lists_recursively_sorted_and_reads(tmp_path):
    _write_folder(tmp_path / "zone")
    landing = Landing(str(tmp_path / "zone"))
    _check_interface(landing)
    assert landing.describe("a.csv") == str(tmp_path / "zone" / "a.csv")
    assert landing.local_path("a.csv") == tmp_path / "zone" / "a.csv"


def test_relative_folder_uri_resolves_against_base_dir(tmp_path):
    _write_folder(tmp_path / "landing" / "cur")
    landing = Landing("landing/cur", base_dir=tmp_path)
    assert landing.root == (tmp_path / "landing" / "cur").resolve()
    assert landing.read_bytes("a.csv") == b"x\n1\n"


def test_missing_or_empty_folder_is_empty(tmp_path):
    assert Landing(str(tmp_path / "nope")).is_empty()
    assert Landing(str(tmp_path / "nope")).list() == []
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    assert Landing(str(tmp_path / "empty")).is_empty()


def test_keys_must_be_relative(tmp_path):
    landing = Landing(str(tmp_path))
    for bad in ("/etc/passwd", "../x", "a/../../x", ""):
        with pytest.raises(ValueError):
            landing.read_bytes(bad)


def test_s3_landing_has_the_same_interface(s3_bucket):
    endpoint, bucket, client = s3_bucket
    _write_s3(client, bucket, "exports/cur/")
    landing = Landing(f"s3://{bucket}/exports/cur", endpoint_url=endpoint)
    _check_interface(landing)
    assert landing.describe("a.csv") == f"s3://{bucket}/exports/cur/a.csv"
    assert landing.local_path("a.csv") is None


def test_s3_listing_follows_pagination(s3_bucket):
    endpoint, bucket, client = s3_bucket
    _write_s3(client, bucket, "p/")
    landing = Landing(f"s3://{bucket}/p/", endpoint_url=endpoint)
    landing.page_size = 2  # five files, a marker: several pages
    assert landing.list() == sorted(FILES)


def test_s3_bucket_root_and_empty_prefix(s3_bucket):
    endpoint, bucket, client = s3_bucket
    assert Landing(f"s3://{bucket}/nothing-here", endpoint_url=endpoint).is_empty()
    client.put_object(Bucket=bucket, Key="top.json", Body=b"1")
    landing = Landing(f"s3://{bucket}", endpoint_url=endpoint)
    assert landing.list() == ["top.json"]
    assert not landing.is_empty()


def test_s3_errors_name_the_object_and_never_the_credentials(s3_bucket):
    endpoint, bucket, _ = s3_bucket
    landing = Landing(f"s3://{bucket}/x", endpoint_url=endpoint)
    with pytest.raises(LandingFileError) as excinfo:
        landing.read_bytes("missing.json")
    message = str(excinfo.value)
    assert message.startswith(f"s3://{bucket}/x/missing.json: ")
    assert "testing" not in message  # the dummy access key / secret
    with pytest.raises(LandingFileError, match="no such bucket"):
        Landing("s3://no-such-bucket-unitcost/x", endpoint_url=endpoint).list()
