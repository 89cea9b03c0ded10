"""Pure parsers: landing files (bytes) to polars DataFrames in the raw-table contract (ingest/schemas/: one module
per domain, every table listed in RAW_TABLES).

One folder per domain, one module per format it reads: ``cloud_bill/`` (AWS CUR 2.0 and CUR 1, FOCUS),
``kubernetes/`` (OpenCost, kubectl snapshots), ``llm/`` (usage logs and API pages, cost reports, list prices);
``business.py`` and ``request_counts.py`` for the company's own CSVs and request metrics. ``values.py`` holds the
value rules every format shares (text, counts, money, timestamps, UTF-8, JSON, CSV headers), ``landing.py`` the
folder-or-S3 view of a landing zone, ``errors.py`` the one error a bad file raises. Nothing here imports Dagster.
"""
