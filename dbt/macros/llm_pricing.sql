{#-
  Helpers for int_llm_calls_priced: the only warehouse-specific bits of LLM pricing.

  Exact money arithmetic (docs/money-and-time.md) in 64-bit integers, because 128-bit decimals cost ~1 µs per call
  (3 M calls: seconds). A price p (USD per unit block, at most 12 decimals) is split once per price band into
  hi = floor(p × 10^6) and lo = p × 10^12 − hi × 10^6 (0 <= lo < 10^6), so p = hi × 10^-6 + lo × 10^-12 exactly.
  A call's cost Σ p_k × n_k × 10^-6 (per-million-token keys; 10^-3 for *_kcount) is then
      H = Σ hi_k × n_k   (units of 10^-12 USD)      L = Σ lo_k × n_k   (units of 10^-18 USD)
  and, in nano-dollars rounded half up (every count and price is >= 0, so half away from zero),
      nano = H div 1000 + ((H mod 1000) × 10^6 + L + 5 × 10^8) div 10^9.
  H stays below 2^63 while the call costs less than $9.2 million; past that the warehouse raises an overflow error
  (never a wrong number). Rounding happens once per call (tests/test_llm_pricing.py: parity with calc_price).
-#}

{#- The price keys int_llm_calls_priced reads, as column stems (input -> input_price / input_hi / input_lo). -#}
{% macro llm_priced_keys() -%}
    {{ return(['input', 'cache_read', 'cache_write', 'cache_write_5m', 'cache_write_1h', 'output',
               'output_reasoning', 'requests']) }}
{%- endmacro %}

{#- Nano-dollars (BIGINT) to money. The cost bound above keeps nano-dollars below 10^16, so DECIMAL(18, 0) holds them
    and the product stays in DuckDB's fast integer decimals (money.sql's nano_to_money goes through DECIMAL(38, 0)). -#}
{% macro llm_nano_to_money(expr) -%}
    {{ return(adapter.dispatch('llm_nano_to_money', 'unitcost')(expr)) }}
{%- endmacro %}
{% macro default__llm_nano_to_money(expr) -%}
    {{ decimal_cast(decimal_cast(expr, 'decimal(18, 0)') ~ ' * ' ~ decimal_cast('0.000000001', 'decimal(18, 9)'),
                    money_type()) }}
{%- endmacro %}
{% macro bigquery__llm_nano_to_money(expr) -%}{{ nano_to_money(expr) }}{%- endmacro %}

{#- What a price is chosen for: a genai-prices model (the provider whose list priced it, the provider it resolved
    to), a UTC day and a price context (batch, service tier). The price bands and the calls meet on these. -#}
{% macro llm_price_context_columns() -%}
    {{ return(['price_provider_id', 'price_model_id', 'matched_provider_id', 'usage_date', 'ctx_batch',
               'ctx_service_tier']) }}
{%- endmacro %}

{#- A call's usage as every LLM model carries it: the request count and the token vector (input and output
    inclusive; uncached + cache read + cache creation = input; the 1-hour writes and reasoning are subsets). -#}
{% macro llm_usage_columns() -%}
    {{ return(['calls', 'input_tokens', 'uncached_input_tokens', 'cache_read_input_tokens',
               'cache_creation_input_tokens', 'cache_creation_1h_input_tokens', 'output_tokens',
               'reasoning_output_tokens']) }}
{%- endmacro %}

{#- The staging columns a call's price depends on besides its token counts (its "price key"). -#}
{% macro llm_price_key_columns(prefix='') -%}
    {{ return([prefix ~ 'provider_name', prefix ~ 'response_model', prefix ~ 'request_model', prefix ~ 'service_tier',
               prefix ~ 'is_batch', prefix ~ 'usage_date']) }}
{%- endmacro %}

{#- A 64-bit hash of several columns, nulls included (DuckDB hash(); BigQuery farm_fingerprint). -#}
{% macro llm_key_hash(columns) -%}
    {{ return(adapter.dispatch('llm_key_hash', 'unitcost')(columns)) }}
{%- endmacro %}
{% macro default__llm_key_hash(columns) -%}hash({{ columns | join(', ') }}){%- endmacro %}
{% macro bigquery__llm_key_hash(columns) -%}farm_fingerprint(to_json_string(struct({{ columns | join(', ') }}))){%- endmacro %}

{#- hi part of a price: whole micro-dollars per unit block (null stays null: the key is not priced). -#}
{% macro llm_price_hi(price) -%}
    cast(floor({{ price }} * 1000000) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- lo part of a price: the rest, in pico-dollars per unit block (0 <= lo < 10^6). -#}
{% macro llm_price_lo(price) -%}
    cast({{ price }} * 1000000000000 - floor({{ price }} * 1000000) * 1000000 as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- a mod b for non-negative integers. -#}
{% macro llm_int_mod(a, b) -%}
    {{ return(adapter.dispatch('llm_int_mod', 'unitcost')(a, b)) }}
{%- endmacro %}
{% macro default__llm_int_mod(a, b) -%}(({{ a }}) % ({{ b }})){%- endmacro %}
{% macro bigquery__llm_int_mod(a, b) -%}mod({{ a }}, {{ b }}){%- endmacro %}

{#- A call's cost in nano-dollars (BIGINT), rounded once, half up. `terms` is a list of (key stem, count expression,
    'mtok' | 'kcount'); the columns <stem>_hi / <stem>_lo hold the split price (null = not priced: contributes 0). -#}
{% macro llm_nano_cost(terms) -%}
    {%- set h_parts = [] -%}
    {%- set l_parts = [] -%}
    {%- for stem, count, unit in terms -%}
        {#- per *_kcount: p × n × 10^-3 = hi × n × 10^-9 + lo × n × 10^-15 -> × 1000 in H units, × 10^6 in L units -#}
        {%- set scale_h = ' * 1000' if unit == 'kcount' else '' -%}
        {%- set scale_l = ' * 1000000' if unit == 'kcount' else '' -%}
        {%- do h_parts.append('coalesce(' ~ stem ~ '_hi, 0) * (' ~ count ~ ')' ~ scale_h) -%}
        {%- do l_parts.append('coalesce(' ~ stem ~ '_lo, 0) * (' ~ count ~ ')' ~ scale_l) -%}
    {%- endfor -%}
    {%- set h = '(' ~ h_parts | join(' + ') ~ ')' -%}
    {%- set l = '(' ~ l_parts | join(' + ') ~ ')' -%}
    ({{ int_div_trunc(h, '1000') }}
     + {{ int_div_trunc(llm_int_mod(h, '1000') ~ ' * 1000000 + ' ~ l ~ ' + 500000000', '1000000000') }})
{%- endmacro %}

{#- The service-tier price variant a call asks for: '' when none (null, default, standard, auto), else the tier
    in lower case. Mirrors ingest.llm_prices.price_context_for. -#}
{% macro llm_service_tier_variant(expr) -%}
    case
        when lower(trim(coalesce({{ expr }}, ''))) in ('', 'default', 'standard', 'auto') then ''
        else lower(trim({{ expr }}))
    end
{%- endmacro %}

{#-
  A priced amount in exact decimal: price x count x factor, with factor 0.000001 for *_mtok keys and 0.001 for
  *_kcount keys (the per_units the snapshot carries). A missing price (key not priced) contributes 0.
-#}
{% macro llm_amount(price, count, factor) -%}
    {{ llm_exact_price('coalesce(' ~ price ~ ', 0)') }} * ({{ count }}) * {{ llm_exact_literal(factor) }}
{%- endmacro %}

{#- The lower bound, in tokens, of an Anthropic usage_report context_window ("0-200k" → 0, "200k-1M" → 200000);
    0 when null or unreadable. -#}
{% macro llm_context_window_floor(expr) -%}
    {%- set lower_bound = "lower(trim(" ~ dbt.split_part(expr, "'-'", 1) ~ "))" -%}
    coalesce(case
        when {{ lower_bound }} like '%k'
            then {{ dbt.safe_cast("replace(" ~ lower_bound ~ ", 'k', '')", dbt.type_bigint()) }} * 1000
        when {{ lower_bound }} like '%m'
            then {{ dbt.safe_cast("replace(" ~ lower_bound ~ ", 'm', '')", dbt.type_bigint()) }} * 1000000
        else {{ dbt.safe_cast(lower_bound, dbt.type_bigint()) }}
    end, 0)
{%- endmacro %}

{#- A boolean expression that must hold on every row of `model` (rows where it does not are the failures). -#}
{% test llm_expression_is_true(model, expression) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}

{#- Validity periods [from_column, to_column] (both inclusive; a null end = open) of the same key must not overlap. -#}
{% test llm_periods_do_not_overlap(model, key_columns, from_column, to_column) %}
{%- set far_future = "cast('9999-12-31' as date)" -%}
select
    {% for c in key_columns %}a.{{ c }}, {% endfor %}
    a.{{ from_column }} as period_a_from, a.{{ to_column }} as period_a_to,
    b.{{ from_column }} as period_b_from, b.{{ to_column }} as period_b_to
from {{ model }} as a
inner join {{ model }} as b
    on {% for c in key_columns %}a.{{ c }} is not distinct from b.{{ c }} and {% endfor %}
       (a.{{ from_column }} < b.{{ from_column }}
        or (a.{{ from_column }} = b.{{ from_column }} and a.period_row_id < b.period_row_id))
where b.{{ from_column }} <= coalesce(a.{{ to_column }}, {{ far_future }})
{% endtest %}

{#- Blocking (severity error): every LLM call must have a cost - a price, or a provider-reported cost_usd. The failing
    rows are the calls themselves with their tokens, each naming its model string and how many calls of that string
    failed (model_calls); stored (store_failures) they are the quarantine of calls that cannot be costed. -#}
{% test llm_calls_have_a_cost(model) %}
{%- if execute and flags.WHICH in ('build', 'test') -%}
    {#- name the model strings in the log too (dbt's failure line only counts rows) -#}
    {%- set found = run_query("select provider_name, model, count(*) from " ~ model
                              ~ " where not is_priced and cost_usd is null group by 1, 2 order by 3 desc, 2") -%}
    {%- for r in found.rows -%}
        {{ log("LLM calls without a cost (no price, no cost_usd): " ~ r[0] ~ " model '" ~ r[1] ~ "': "
               ~ r[2] ~ " calls", info=True) }}
    {%- endfor -%}
{%- endif %}
select
    provider_name,
    model as model_string,
    count(*) over (partition by provider_name, model) as model_calls,
    event_id,
    usage_date,
    source_format,
    request_model,
    response_model,
    {{ llm_usage_columns() | join(', ') }},
    service_tier,
    is_batch,
    tenant_id,
    feature_id
from {{ model }}
where not is_priced and cost_usd is null
{% endtest %}

{#- The type of a stored price (USD per unit block): 12 decimals, as raw.llm_price_snapshot. -#}
{% macro llm_price_type() -%}
    {{ return(adapter.dispatch('llm_price_type', 'unitcost')()) }}
{%- endmacro %}
{% macro default__llm_price_type() -%}decimal(38, 12){%- endmacro %}
{% macro bigquery__llm_price_type() -%}{{ 'bignumeric(38, 12)' if var('bq_emulator', false) else 'bignumeric' }}{%- endmacro %}
