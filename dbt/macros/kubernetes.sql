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

{#- Volumes and load balancers of a cluster on the bill (docs/kubernetes.md#volumes-and-load-balancers). An EBS
    volume's rows carry its id (vol-…); an ELB/ALB/NLB's its ARN, whose name part (…:loadbalancer/<name> for a
    classic ELB, …:loadbalancer/app|net|gwy/<name>/<id> otherwise) is what a Service's hostname or annotation names. -#}
{% macro cluster_resource_kind(resource_id) -%}
    case
        when {{ resource_id }} like 'vol-%' then 'volume'
        when {{ resource_id }} like 'arn:%:elasticloadbalancing:%:loadbalancer/%' then 'load_balancer'
    end
{%- endmacro %}

{% macro load_balancer_name_from_arn(resource_id) -%}
    case
        when {{ dbt.split_part(resource_id, "'/'", 2) }} in ('app', 'net', 'gwy')
            then {{ dbt.split_part(resource_id, "'/'", 3) }}
        else {{ dbt.split_part(resource_id, "'/'", 2) }}
    end
{%- endmacro %}

{#- The bill row's tags (JSON text) carry a tag the Kubernetes volume / load balancer controllers set on what they
    create for a cluster (kubernetes.io/created-for/pvc/name, ebs.csi.aws.com/cluster, kubernetes.io/service-name,
    kubernetes.io/cluster/<name>, elbv2.k8s.aws/cluster). `_` matches any one character in LIKE, so each pattern
    finds the key both as tagged (FOCUS: kubernetes.io/…) and as CUR 2.0 stores it (user_kubernetes_io_…). -#}
{% macro has_cluster_resource_tag(tags) -%}
    {%- set patterns = ['kubernetes_io_created_for_pvc_name', 'ebs_csi_aws_com_cluster', 'kubernetes_io_service_name',
                        'kubernetes_io_cluster_', 'elbv2_k8s_aws_cluster'] -%}
    ({% for p in patterns %}coalesce({{ tags }}, '') like '%{{ p }}%'{{ ' or ' if not loop.last }}{% endfor %})
{%- endmacro %}
