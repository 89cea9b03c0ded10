"""What a person follows on a long run (lib/progress.py, defs/dbt/assets.py): a step's counts logged to Dagster at
each tenth, dbt's per-node lines kept in a log file and counted, and the file's last lines when dbt fails."""

from __future__ import annotations

import io

from dagster_project.defs.dbt.assets import _DbtOutput
from dagster_project.lib import progress


class _Log:
    def __init__(self):
        self.lines = []

    def info(self, message):
        self.lines.append(message)


class _Context:
    def __init__(self):
        self.log = _Log()


def test_a_steps_counts_reach_the_dagster_log_at_each_tenth_and_at_the_end():
    context = _Context()
    for done in range(0, 24):
        progress.count(context, "llm_events", done, 23, "files")
    # 23 // 10 = 2: every second file, and the last
    assert context.log.lines == [f"llm_events: {n} of 23 files" for n in [*range(0, 23, 2), 23]]


def test_dbt_lines_go_to_the_file_and_finished_nodes_are_counted(tmp_path):
    seen = []
    output = _DbtOutput(tmp_path / "dbt_output.log", lambda done, total: seen.append((done, total)))
    text = ("Running with dbt=1.11\n1 of 3 START sql view model staging.a ..... [RUN]\n"
            "1 of 3 OK created sql view model staging.a  [OK in 0.1s]\n2 of 3 START test not_null ... [RUN]\n"
            "2 of 3 FAIL 4 not_null_a [FAIL 4 in 0.1s]\n3 of 3 SKIP relation marts.b\nDone. PASS=1 ERROR=1\n")
    for piece in (text[:50], text[50:51], text[51:]):  # dagster-dbt writes whole lines; any split is counted once
        output.write(piece)
    output.close()
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert (tmp_path / "dbt_output.log").read_text() == text
    reopened = _DbtOutput.__new__(_DbtOutput)
    reopened.path, reopened.file = tmp_path / "dbt_output.log", io.StringIO()
    assert reopened.tail(2) == "3 of 3 SKIP relation marts.b\nDone. PASS=1 ERROR=1"


def test_bars_stay_off_without_a_terminal(capsys):
    bars = progress.show_bars(3)
    try:
        assert not bars.enabled  # pytest's captured stderr is not a terminal
        bars.count("dbt build", 1, 10, "nodes")
        bars.write("[   1.0s] done   business")
    finally:
        progress.hide_bars()
    assert capsys.readouterr().out == "[   1.0s] done   business\n"


def test_step_lines_count_passed_checks_and_show_a_failures_own_message(capsys):
    import dagster as dg

    @dg.asset(check_specs=[dg.AssetCheckSpec("a_ok", asset="counted"), dg.AssetCheckSpec("b_ok", asset="counted")])
    def counted():
        yield dg.MaterializeResult(check_results=[dg.AssetCheckResult(check_name="a_ok", passed=True),
                                                  dg.AssetCheckResult(check_name="b_ok", passed=True)])

    @dg.asset(deps=[counted])
    def broken():
        raise ValueError("/landing/llm/2026-10-01/a.jsonl: line 3 - not valid JSON")

    job = dg.Definitions(assets=[counted, broken], jobs=[dg.define_asset_job("j")]).resolve_job_def("j")
    job = job.with_logger_defs({"progress": progress.step_progress_logger})
    job.execute_in_process(run_config={"loggers": {"progress": {}}}, raise_on_error=False)
    lines = [line.split("] ", 1)[1] for line in capsys.readouterr().out.splitlines() if line.startswith("[")]
    assert lines == ["start  counted", "done   counted (2 checks passed)", "start  broken",
                     "FAILED broken ValueError: /landing/llm/2026-10-01/a.jsonl: line 3 - not valid JSON"]
