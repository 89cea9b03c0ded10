{#- Label history in force (docs/kubernetes.md#who-owns-a-pod). A version of an object is in force over
    [in_force_from, in_force_to), a null bound being open (its object's first version applies before the first
    snapshot, a deleted object's last version after the last). A "piece" is a stretch [piece_start, piece_end) of a
    pod's OpenCost running time; each level (pod, controller, namespace) cuts it where its labels changed. -#}

{#- The version `v` was in force during some of the piece `p`. -#}
{% macro in_force_during(v, p) -%}
    ({{ v }}.in_force_from is null or {{ v }}.in_force_from < {{ p }}.piece_end)
    and ({{ v }}.in_force_to is null or {{ v }}.in_force_to > {{ p }}.piece_start)
{%- endmacro %}

{#- The part of the piece `p` during which the version `v` was in force (all of it where `v` is null: no such object). -#}
{% macro piece_cut_by(v, p) -%}
    case when {{ v }}.in_force_from > {{ p }}.piece_start then {{ v }}.in_force_from else {{ p }}.piece_start end
        as piece_start,
    case when {{ v }}.in_force_to < {{ p }}.piece_end then {{ v }}.in_force_to else {{ p }}.piece_end end as piece_end
{%- endmacro %}

{#- The pieces of `pieces` (keyed by `keys`) cut by the versions of one level: `on` picks the level's object for a
    piece (alias r for the piece, v for the version); `carried` are the piece's columns kept, `taken` the version's
    columns added (as `expression as name`). A piece whose object is unknown stays whole, with nulls taken. -#}
{% macro pieces_cut_by(pieces, keys, on, carried, taken) -%}
    select
        {{ qualified('r', keys) }},
        {{ piece_cut_by('v', 'r') }}
        {%- for c in carried %}, r.{{ c }}{% endfor %}
        {%- for t in taken %}, {{ t }}{% endfor %}
    from {{ pieces }} as r
    left join {{ ref('int_k8s_objects_in_force') }} as v
        on {{ on }} and {{ in_force_during('v', 'r') }}
{%- endmacro %}
