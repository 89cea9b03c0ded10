{#-
  Helpers for int_llm_calls_priced: the only warehouse-specific bits of LLM pricing.

  Exact money arithmetic (DESIGN.md §3.7): a price per million tokens times a token count times 0.000001 is exact
  in a decimal with 18 fractional digits (prices carry at most 12). DuckDB: DECIMAL(38,12) x BIGINT x DECIMAL(7,6)
  stays DECIMAL(38,18) (never DECIMAL / DECIMAL, which is DOUBLE there); BigQuery: NUMERIC has only 9 decimals,
  so the arithmetic runs in BIGNUMERIC. Rounding happens once per call, half away from zero (DuckDB ROUND on a
  DECIMAL and BigQuery ROUND on (BIG)NUMERIC both round half away from zero).
-#}

{#- A price (USD per unit block) as an exact decimal for multiplication. -#}
{% macro llm_exact_price(expr) -%}
    {{ return(adapter.dispatch('llm_exact_price', 'unitcost')(expr)) }}
{%- endmacro %}
{% macro default__llm_exact_price(expr) -%}cast({{ expr }} as decimal(38, 12)){%- endmacro %}
{% macro bigquery__llm_exact_price(expr) -%}cast({{ expr }} as bignumeric){%- endmacro %}

{#- An exact decimal constant such as 0.000001 (a bare 0.000001 is FLOAT64 in BigQuery). -#}
{% macro llm_exact_literal(text) -%}
    {{ return(adapter.dispatch('llm_exact_literal', 'unitcost')(text)) }}
{%- endmacro %}
{% macro default__llm_exact_literal(text) -%}{{ text }}{%- endmacro %}
{% macro bigquery__llm_exact_literal(text) -%}bignumeric '{{ text }}'{%- endmacro %}

{#- An exact cost rounded once to money: 9 decimals, half away from zero, typed DECIMAL(38,9) / NUMERIC. -#}
{% macro llm_round_to_money(expr) -%}
    {{ return(adapter.dispatch('llm_round_to_money', 'unitcost')(expr)) }}
{%- endmacro %}
{% macro default__llm_round_to_money(expr) -%}cast(round({{ expr }}, 9) as decimal(38, 9)){%- endmacro %}
{% macro bigquery__llm_round_to_money(expr) -%}cast(round({{ expr }}, 9) as numeric){%- endmacro %}

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
