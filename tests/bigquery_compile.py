"""`dbt compile --target bigquery` with no network: run as `python bigquery_compile.py first|incremental DBT_ARGS...`.

dbt-bigquery asks the warehouse whether an incremental model's table exists (is_incremental) while compiling. Here
that question is answered without a connection: `first` says no table exists (the SQL of a first build),
`incremental` says every one does (the SQL of a daily run), so the check sees both branches of every model."""

from __future__ import annotations

import sys

from dbt.adapters.bigquery.impl import BigQueryAdapter
from dbt.adapters.bigquery.relation import BigQueryRelation
from dbt.cli.main import dbtRunner


def main(mode: str, args: list[str]) -> int:
    def get_relation(self, database, schema, identifier):
        if mode == "first":
            return None
        return BigQueryRelation.create(database=database, schema=schema, identifier=identifier, type="table")

    BigQueryAdapter.get_relation = get_relation
    BigQueryAdapter.list_relations_without_caching = lambda self, schema_relation: []
    result = dbtRunner().invoke(args)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
