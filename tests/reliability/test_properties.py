"""Property-based tests (hypothesis): late and early data counted exactly once whatever the runs, and parsers that
never lose or invent a row. Each example is pure Python and polars: hundreds of scenarios in seconds."""

from __future__ import annotations

import json
from datetime import date, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.lib.lookback import folders_of, place, read_with_lookback
from ingest.llm.native import parse_native_jsonl
from ingest.request_counts import parse_requests_csv

START = date(2026, 10, 1)
DAYS = 8
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# a landing: rows as (arrival folder offset, own day offset, id); offsets from START, folders may hold any day
landings = st.lists(st.tuples(st.integers(0, DAYS + 3), st.integers(-2, DAYS + 3)), min_size=1, max_size=40,
                    unique=True)
lookbacks = st.integers(0, 4)
runs = st.lists(st.tuples(st.integers(0, DAYS - 1), st.integers(0, 2)), min_size=1, max_size=10)


def _day(offset: int) -> date:
    return START + timedelta(days=offset)


def _reader(landing: list[tuple[int, int]], lookback: int):
    folders = sorted({f for f, _ in landing})

    def read(wanted: set[date]) -> dict[int, tuple]:
        out = {}
        for i, folder in enumerate(folders):
            if _day(folder) not in wanted:
                continue
            rows = pl.DataFrame({"id": [f"{f}:{e}" for f, e in landing if f == folder],
                                 "usage_date": [_day(e) for f, e in landing if f == folder]})
            placed = place(rows, _day(folder), lookback)
            within = placed["lookback"].is_null()
            out[i] = (_day(folder), placed.filter(within).drop("lookback"), placed.filter(~within))
        return out
    return read


def _run(state: dict, quarantine: dict, landing, lookback: int, days: list[date]) -> None:
    """One run as the raw assets do it: replace the written days' rows (replace_days)."""
    written, _, frames = read_with_lookback(_reader(landing, lookback), days, lookback, START)
    kept = pl.concat([pl.DataFrame(schema={"id": pl.String, "usage_date": pl.Date}), *(ok for ok, _ in frames)])
    out = pl.concat([pl.DataFrame(schema={"id": pl.String, "usage_date": pl.Date, "lookback": pl.String}),
                     *(o for _, o in frames)])
    for d in written:
        state[d] = sorted(kept.filter(pl.col("usage_date") == d)["id"].to_list())
        quarantine[d] = sorted(out.filter(pl.col("usage_date") == d)["id"].to_list())


def _truth(landing, lookback: int) -> tuple[dict, dict]:
    """Day d's rows: those of day d in the folders d - 1 .. d + lookback; the rest quarantined under their folder."""
    state = {_day(d): sorted(f"{f}:{e}" for f, e in landing if e == d and d - 1 <= f <= d + lookback)
             for d in range(DAYS)}
    quarantine = {_day(d): sorted(f"{f}:{e}" for f, e in landing if f == d and not e - 1 <= f <= e + lookback)
                  for d in range(DAYS)}
    return state, quarantine


@FAST
@given(landing=landings, lookback=lookbacks, slicing=runs)
def test_any_runs_that_end_with_every_day_run_give_each_day_its_rows_exactly_once(landing, lookback, slicing):
    state, quarantine = {}, {}
    for first, length in [*slicing, (0, DAYS - 1)]:  # whatever came before, then one run of every day
        _run(state, quarantine, landing, lookback, [_day(d) for d in range(first, min(first + length, DAYS - 1) + 1)])
    truth, truth_q = _truth(landing, lookback)
    assert {d: state[d] for d in truth} == truth
    assert {d: quarantine[d] for d in truth_q} == truth_q
    # never counted twice: no row both in a day and in the quarantine, none in two days
    counted = [i for d in truth for i in state[d]] + [i for d in truth_q for i in quarantine[d]]
    assert len(counted) == len(set(counted))


@FAST
@given(landing=landings, lookback=lookbacks)
def test_the_daily_schedule_as_folders_arrive_gives_each_day_its_rows(landing, lookback):
    """Folder d lands, then day d is run (and nothing else): late rows re-materialize their day when they arrive."""
    state, quarantine = {}, {}
    for d in range(DAYS + lookback + 1):  # past the window too: those days' runs still look back into it
        _run(state, quarantine, [(f, e) for f, e in landing if f <= d], lookback, [_day(d)])
    truth, truth_q = _truth([(f, e) for f, e in landing if f <= DAYS + lookback], lookback)
    assert {d: state.get(d, []) for d in truth} == truth
    assert {d: quarantine.get(d, []) for d in truth_q} == truth_q


def test_the_folders_a_day_reads():
    assert folders_of([START], 2) == {_day(-1), _day(0), _day(1), _day(2)}


tokens = st.integers(-5, 10_000)


@FAST
@given(st.lists(st.tuples(tokens, tokens, st.integers(0, 86_399), st.booleans()), min_size=0, max_size=30))
def test_native_jsonl_keeps_or_quarantines_every_line_once(calls):
    lines = [json.dumps({"event_id": f"e{i}", "timestamp": f"{START}T{s // 3600:02d}:{s % 3600 // 60:02d}:"
                                                          f"{s % 60:02d}{'Z' if utc else ''}",
                         "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
                         "gen_ai.usage.input_tokens": i_tok, "gen_ai.usage.output_tokens": o_tok})
             for i, (i_tok, o_tok, s, utc) in enumerate(calls)]
    ok, bad = parse_native_jsonl("\n".join(lines).encode(), "llm/2026-10-01/a.jsonl")
    assert sorted(ok["event_id"].to_list() + bad["event_id"].to_list()) == sorted(f"e{i}" for i in range(len(calls)))
    assert (ok["input_tokens"] >= 0).all() and (ok["output_tokens"] >= 0).all()
    assert set(ok["usage_date"].to_list()) <= {START}
    expected_bad = {f"e{i}" for i, (i_tok, o_tok, _, utc) in enumerate(calls) if i_tok < 0 or o_tok < 0 or not utc}
    assert set(bad["event_id"].to_list()) == expected_bad


@FAST
@given(st.lists(st.tuples(st.sampled_from([1, 3599, 3600, 3601, 86_400]) | st.integers(1, 86_400), st.sampled_from(["acme", "globex"]), st.integers(0, 10**6)),
                max_size=30))
def test_request_csv_rows_land_on_the_day_of_t_minus_one_hour_and_sum_exactly(samples):
    epoch = 1_790_812_800  # 2026-10-01T00:00:00Z
    text = "ts,tenant_id,feature_id,requests\n" + "".join(f"{epoch + s},{t},chat,{n}\n" for s, t, n in samples)
    frame = parse_requests_csv(text.encode(), "requests/2026-10-01.csv")
    assert frame.height == len(samples)
    assert frame["requests"].sum() == sum(n for *_, n in samples)
    expected = sorted(START if s >= 3600 else START - timedelta(days=1) for s, *_ in samples)
    assert sorted(frame["usage_date"].to_list()) == expected
