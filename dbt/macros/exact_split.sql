{#-
  Split an amount over weighted recipients so the pieces sum to the amount exactly (docs/money-and-time.md).

  `relation` holds one row per (group, recipient) with the group's `amount` repeated on each row and a
  non-negative `weight`. Each piece is round(amount * weight / Σ weight, 9), cast back to money; the group's
  rounding residual goes to the recipient with the largest weight (ties: the smallest `tiebreak`).
  Returns every column of `relation` plus `allocated_usd`.
-#}
{% macro exact_split(relation, amount, weight, group_by, tiebreak) -%}
select
    shares.*,
    shares._piece
        + case when shares._rank = 1
               then shares.{{ amount }} - sum(shares._piece) over (partition by {{ group_by | join(', ') }})
               else {{ to_money('0') }} end as allocated_usd
from (
    select
        r.*,
        {%- set f = weight_type() %}
        {{ to_money("round(cast(r." ~ amount ~ " as " ~ f ~ ") * cast(r." ~ weight ~ " as " ~ f ~ ") / nullif(sum(cast(r." ~ weight ~ " as " ~ f ~ ")) over (partition by " ~ group_by | join(', ') ~ "), 0), 9)") }} as _piece,
        row_number() over (
            partition by {{ group_by | join(', ') }}
            order by r.{{ weight }} desc, {{ tiebreak | join(', ') }}
        ) as _rank
    from {{ relation }} as r
) as shares
{%- endmacro %}
