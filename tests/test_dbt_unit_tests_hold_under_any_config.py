"""Every dbt unit test runs inside every production `dbt build`, so none may depend on the company's own settings:
each pins the vars it computes with (window, owner keys, anomaly and budget thresholds). Built under a config unlike
the default in every such var (tests/dbt_build.py), every unit test the project defines passes."""

from dbt_build import defined_unit_tests


def test_every_dbt_unit_test_passes_whatever_the_companys_config(project_unit_tests):
    assert project_unit_tests == {name: "pass" for name in defined_unit_tests()}
