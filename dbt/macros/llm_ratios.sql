{#- The LLM ratios analysts compare models by (docs/marts.md), written once for every grain they are read at: a
    call-level mart (llm_token_economics_daily) and its per-model roll-up (llm_model_daily) divide the same way. -#}

{#- Money per 1,000 tokens (input + output, inclusive); null without tokens. -#}
{% macro cost_per_1k_tokens(cost, input_tokens, output_tokens) -%}
    case when {{ input_tokens }} + {{ output_tokens }} > 0
         then {{ to_money(to_float(cost) ~ ' * 1000 / (' ~ input_tokens ~ ' + ' ~ output_tokens ~ ')') }}
    end
{%- endmacro %}

{#- The share of input tokens read from the provider's prompt cache; null without input tokens. -#}
{% macro cache_hit_rate(cache_read_input_tokens, input_tokens) -%}
    case when {{ input_tokens }} > 0 then {{ to_float(cache_read_input_tokens) }} / {{ input_tokens }} end
{%- endmacro %}
