"""Property-based allocation of whole random days (hypothesis), batched (tests/reliability/batched_zone.py): one
example is one random allocation policy and many scenarios in ONE pipeline run, each scenario its own payer
account, cluster and tenants. A scenario draws:
- nodes with a billed compute cost, an OpenCost /assets cost or none (idle capacity when it is above what the pods
  weigh), or no OpenCost data at all (then OpenCost never named the instance: an untagged bill row); pods on them
  with cpu and ram weights, a namespace, and a tenant label, a feature label, a `team` label, any of them or none
  (unlabeled pods; no kubectl snapshot is written, so OpenCost's labels are the pods' own);
- other bill rows: support, tax, NAT, storage and credits (negative), tagged with a tenant, a feature, or neither;
- LLM calls of models from the price table, with random token counts, a tenant or none, a feature or none.
The policy draws its idle mode, its shared-workload method and up to four rules (matches on namespace, label,
service, line item type or usage type; every method; every scope a match allows).

What holds on every example: the ledger is the bill plus the LLM calls to the nano-dollar (exact DECIMAL); every
node-day's pods + idle is exactly the node's billed cost, the idle within rounding of B · idle weight / total
weight, and all of it in the ledger as idle; every rule's moved amounts (allocation_breakdown) sum to what the
ledger holds under that rule (a shared idle dollar moved twice aside: _assert_rule_splits_sum_to_their_source); the
untagged dollars no rule matches are `untagged`, exactly; each tenant's direct cloud dollars are its tagged rows;
the LLM dollars are Σ tokens × price recomputed here with Decimal, per tenant; nothing is negative but credits."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from batched_zone import BATCHED, DAY, EXAMPLES, assert_ledger_is_the_bill, assert_negative_only_from_credits, \
    payer, query, run_day, write_zone
from hypothesis import given, settings
from hypothesis import strategies as st
from test_bill_ingest import cur2_row

from dagster_project.lib.allocation_policy import IDLE_MODES, METHODS, POD_KEYS, SCOPES, USAGE_METHODS, \
    parse_allocation

pytestmark = pytest.mark.slow

NANO = Decimal("0.000000001")
FEATURES = ["chat", "search"]
# (OTel provider, model, USD per million input tokens, per million output tokens): flat prices of the price table
# (genai-prices' data; the test checks them against raw.llm_price_snapshot)
MODELS = [("openai", "gpt-4.1-nano", Decimal("0.10"), Decimal("0.40")),
          ("anthropic", "claude-haiku-4-5", Decimal("1"), Decimal("5")),
          ("anthropic", "claude-3-5-haiku-latest", Decimal("0.80"), Decimal("4"))]
# other bill rows: kind -> the CUR fields that make it one
BILL_KINDS = {
    "support": {"line_item_product_code": "AWSSupportBusiness", "line_item_usage_type": "Dollar"},
    "tax": {"line_item_line_item_type": "Tax", "line_item_product_code": "AmazonEC2", "line_item_usage_type": ""},
    "nat": {"line_item_product_code": "AmazonEC2", "line_item_usage_type": "USE1-NatGateway-Hours",
            "line_item_operation": "NatGateway"},
    "storage": {},
    "credit": {"line_item_line_item_type": "Credit", "line_item_product_code": "AmazonEC2",
               "line_item_usage_type": ""},
}
# what a rule may match, and the bill kinds each bill match takes (None: a pod match)
MATCHES = [({"namespace": ["kube-system"]}, None), ({"namespace": ["batch"]}, None),
           ({"label": {"team": ["platform"]}}, None), ({"service": ["AWSSupportBusiness"]}, {"support"}),
           ({"line_item_type": ["Tax"]}, {"tax"}), ({"usage_type": ["%NatGateway%"]}, {"nat"}),
           ({"line_item_type": ["Credit"]}, {"credit"})]

TENANT = st.none() | st.integers(0, 2)
FEATURE = st.none() | st.sampled_from(FEATURES)
POD = st.fixed_dictionaries({"cpu": st.integers(1, 5000), "ram": st.integers(0, 5000),  # cents of list price
                             "namespace": st.sampled_from(["app", "kube-system", "batch"]),
                             "tenant": TENANT, "feature": FEATURE, "team": st.booleans()})
NODE = st.fixed_dictionaries({"billed": st.integers(0, 10**6),  # cents
                              "opencost": st.booleans(), "assets": st.none() | st.integers(0, 30000),
                              "pods": st.lists(POD, max_size=5)})
OTHER = st.tuples(st.sampled_from(sorted(BILL_KINDS)), st.integers(1, 10**5), TENANT, FEATURE)
CALL = st.tuples(st.integers(0, len(MODELS) - 1), st.integers(1, 200_000), st.integers(0, 50_000), TENANT, FEATURE)
SCENARIO = st.fixed_dictionaries({"nodes": st.lists(NODE, min_size=1, max_size=3),
                                  "other": st.lists(OTHER, max_size=5), "calls": st.lists(CALL, max_size=6)})
RULE = st.tuples(st.integers(0, len(MATCHES) - 1), st.sampled_from(METHODS), st.sampled_from(SCOPES))
POLICY = st.fixed_dictionaries({"idle": st.sampled_from(IDLE_MODES), "rules": st.lists(RULE, max_size=4),
                                "shared_workloads": st.sampled_from(USAGE_METHODS)})


def _policy(drawn) -> tuple[dict, list[set | None]]:
    """The `allocation:` block of a drawn policy (a scope the match does not allow becomes `all`), and per rule the
    bill kinds it takes (None for a pod rule)."""
    rules, takes = [], []
    for i, (m, method, scope) in enumerate(drawn["rules"]):
        match, kinds = MATCHES[m]
        if method in USAGE_METHODS or (scope == "cluster" and not set(match) <= {*POD_KEYS, "label"}):
            scope = "all"
        rule = {"id": f"r{i}", "match": match, "method": method, "scope": scope}
        if method == "fixed":
            rule["shares"] = {"s0-t0": 0.25, "s0-t1": 0.75}
        rules.append(rule)
        takes.append(kinds)
    block = {"idle": drawn["idle"], "rules": rules, "shared_workloads": drawn["shared_workloads"]}
    parse_allocation(block, "the drawn policy")  # a drawing the config refuses is a bug of this test
    return block, takes


def _tags(k: int, tenant, feature, team: bool = False) -> dict[str, str]:
    return {**({"tenant": f"s{k}-t{tenant}"} if tenant is not None else {}),
            **({"feature": feature} if feature else {}), **({"team": "platform"} if team else {})}


class Day:
    """The landing zone of one example and what it must give, computed here."""

    def __init__(self, scenarios, takes: list[set | None]):
        self.rows, self.opencost, self.events = [], {}, []
        self.nodes = {}  # (cluster, instance) -> (B, weights by pod, N or None), nodes with OpenCost data
        self.direct_cloud, self.llm_per_tenant = defaultdict(Decimal), defaultdict(Decimal)
        self.untagged = self.credits = self.llm = Decimal(0)
        for k, scenario in enumerate(scenarios):
            self._cluster(k, scenario["nodes"])
            self._other(k, scenario["other"], takes)
            self._calls(k, scenario["calls"])
        self.bill = sum((Decimal(str(r["line_item_unblended_cost"])) for r in self.rows), Decimal(0))

    def _row(self, k: int, i: str, cents: int, tags: dict[str, str], **fields) -> None:
        self.rows.append(cur2_row(f"{Decimal(cents) / 100:.2f}", f"{DAY}T00:00:00", hours=24,
                                  identity_line_item_id=f"s{k}-{i}", bill_payer_account_id=payer(k),
                                  line_item_usage_account_id=payer(k),
                                  resource_tags=[(f"user_{key}", v) for key, v in tags.items()], **fields))

    def _cluster(self, k: int, nodes) -> None:
        cluster, allocations, assets = f"c{k}", {}, {}
        window = {"start": f"{DAY}T00:00:00Z", "end": f"{DAY.fromordinal(DAY.toordinal() + 1)}T00:00:00Z"}
        for j, node in enumerate(nodes):
            instance = f"i-{k:04d}{j:04d}"
            self._row(k, f"node{j}", node["billed"], {}, line_item_product_code="AmazonEC2",
                      line_item_usage_type="BoxUsage:m5.xlarge", line_item_operation="RunInstances",
                      line_item_resource_id=instance)
            billed = Decimal(node["billed"]) / 100
            pods = node["pods"] if node["opencost"] else []
            asset = node["assets"] if node["opencost"] else None
            if not pods and asset is None:  # OpenCost never saw it: not a node, an untagged bill row
                self.untagged += billed
                continue
            weights = {}
            for i, pod in enumerate(pods):
                name = f"p{j}-{i}"
                weights[name] = Decimal(pod["cpu"] + pod["ram"]) / 100
                properties = {"cluster": cluster, "node": f"n{j}", "namespace": pod["namespace"], "pod": name,
                              "container": "main", "providerID": instance,
                              "labels": _tags(k, pod["tenant"], pod["feature"], pod["team"])}
                allocations[f"{cluster}/n{j}/{pod['namespace']}/{name}/main"] = {
                    "name": f"{cluster}/n{j}/{pod['namespace']}/{name}/main", "properties": properties,
                    "window": window, "start": window["start"], "end": window["end"], "minutes": 1440.0,
                    "cpuCost": pod["cpu"] / 100, "ramCost": pod["ram"] / 100,
                    "totalCost": (pod["cpu"] + pod["ram"]) / 100}
            if asset is not None:
                assets[f"AWS/{payer(k)}/__undefined__/Compute/{cluster}/Node/Kubernetes/{instance}/n{j}"] = {
                    "type": "Node", "properties": {"category": "Compute", "provider": "AWS", "cluster": cluster,
                                                   "name": f"n{j}", "providerID": instance},
                    "window": window, "start": window["start"], "end": window["end"], "minutes": 1440.0,
                    "totalCost": asset / 100}
            self.nodes[(cluster, instance)] = (billed, weights, None if asset is None else Decimal(asset) / 100)
        if allocations or assets:
            self.opencost[cluster] = (allocations, assets)

    def _other(self, k: int, rows, takes: list[set | None]) -> None:
        for i, (kind, cents, tenant, feature) in enumerate(rows):
            cents = -cents if kind == "credit" else cents
            self._row(k, f"{kind}{i}", cents, _tags(k, tenant, feature), **BILL_KINDS[kind])
            cost = Decimal(cents) / 100
            self.credits += min(cost, Decimal(0))
            if tenant is not None:
                self.direct_cloud[f"s{k}-t{tenant}"] += cost
            elif feature is None and not any(t is not None and kind in t for t in takes):
                self.untagged += cost

    def _calls(self, k: int, calls) -> None:
        for i, (m, tokens_in, tokens_out, tenant, feature) in enumerate(calls):
            provider, model, price_in, price_out = MODELS[m]
            self.events.append({"timestamp": f"{DAY}T{i:02d}:30:00Z", "event_id": f"s{k}-call{i}",
                                "gen_ai.provider.name": provider, "gen_ai.request.model": model,
                                "gen_ai.response.model": model, "gen_ai.usage.input_tokens": tokens_in,
                                "gen_ai.usage.output_tokens": tokens_out,
                                **({"tenant.id": f"s{k}-t{tenant}"} if tenant is not None else {}),
                                **({"feature.id": feature} if feature else {})})
            cost = ((tokens_in * price_in + tokens_out * price_out) / 10**6).quantize(NANO, ROUND_HALF_UP)
            self.llm += cost
            if tenant is not None:
                self.llm_per_tenant[f"s{k}-t{tenant}"] += cost


def _assert_nodes_split_exactly(root, day: Day) -> None:
    got = {(c, i): b for c, i, b in query(root, "select cluster, instance_id, billed_compute_cost "
                                                "from intermediate.int_node_costs_summed")}
    assert got == {key: billed for key, (billed, _, _) in day.nodes.items()}
    pieces = defaultdict(lambda: [Decimal(0), Decimal(0)])  # node -> [pods, idle]
    for c, i, kind, amount in query(root, "select cluster, instance_id, recipient_kind, sum(allocated_usd) "
                                          "from intermediate.int_pod_costs_reconciled group by 1, 2, 3"):
        pieces[(c, i)][kind == "idle"] += amount
    for key, (billed, weights, capacity) in day.nodes.items():
        pods, idle = pieces[key]
        assert pods + idle == billed, key
        used = sum(weights.values(), Decimal(0))
        if not weights:
            assert idle == billed, key  # OpenCost saw the node, nothing ran: all idle
            continue
        total = max(capacity if capacity is not None else used, used)
        assert idle >= 0 and abs(idle - billed * (total - used) / total) <= NANO * (len(weights) + 1), key


def _assert_rule_splits_sum_to_their_source(root, idle_mode: str) -> None:
    """Every node idle dollar is in the ledger as idle, whatever the mode; what each rule moved (allocation_breakdown)
    is what the ledger holds under that rule. A shared idle dollar can be moved twice - to a pod with no tenant,
    then on by that pod's rule or shared workload - and the ledger keeps `idle_share` for it: then a rule moved at
    most that idle more than the ledger holds under it."""
    (idle,) = query(root, "select coalesce(sum(allocated_usd), 0) from intermediate.int_pod_costs_reconciled "
                          "where recipient_kind = 'idle'")[0]
    assert query(root, "select coalesce(sum(amount_usd), 0) from marts.cost_ledger where cost_type = 'idle'"
                 ) == [(idle,)]
    moved = dict(query(root, "select rule_id, sum(amount_usd) from marts.allocation_breakdown group by 1"))
    held = dict(query(root, "select rule_id, sum(amount_usd) from marts.cost_ledger group by 1"))
    if idle_mode == "keep":
        assert {r: held.get(r) for r in moved} == moved
        return
    assert moved.get("idle_share", Decimal(0)) == held.get("idle_share", Decimal(0))
    for rule, amount in moved.items():
        assert 0 <= amount - held.get(rule, Decimal(0)) <= idle, (rule, amount, held.get(rule))


@settings(BATCHED, max_examples=EXAMPLES + 1)  # the minimal first draw (zero-cost nodes, no pods) is one of them
@given(scenarios=st.lists(SCENARIO, min_size=10, max_size=16), drawn=POLICY)
def test_random_days_and_policies_allocate_every_dollar_once(tmp_path_factory, scenarios, drawn):
    policy, takes = _policy(drawn)
    day = Day(scenarios, takes)
    root = tmp_path_factory.mktemp("days")
    run_day(write_zone(root, day.rows, day.opencost, day.events, policy))

    assert_ledger_is_the_bill(root, day.bill + day.llm)
    _assert_nodes_split_exactly(root, day)
    _assert_rule_splits_sum_to_their_source(root, policy["idle"])
    assert query(root, "select coalesce(sum(amount_usd), 0) from marts.cost_ledger where cost_source = 'cloud' "
                       "and rule_id = 'untagged'") == [(day.untagged,)]
    direct = dict(query(root, "select tenant_id, sum(amount_usd) from marts.cost_ledger where cost_source = 'cloud' "
                              "and rule_id = 'direct' group by 1"))
    assert direct == {t: a for t, a in day.direct_cloud.items()}
    assert_negative_only_from_credits(root, day.credits)

    # the LLM dollars: Σ tokens × the price table's price, per call rounded once; each tenant its own calls
    prices = dict(((p, m, key), price) for p, m, key, price in query(
        root, "select provider_id, model_id, price_key, usd_per_unit_block from raw.llm_price_snapshot "
              "where variant = 'base' and price_key in ('input_mtok', 'output_mtok') and tier_start_input_tokens = 0"))
    for provider, model, price_in, price_out in MODELS:
        assert (prices[(provider, model, "input_mtok")], prices[(provider, model, "output_mtok")]) == (
            price_in, price_out)
    assert query(root, "select coalesce(sum(amount_usd), 0) from marts.cost_ledger where cost_source = 'llm'"
                 ) == [(day.llm,)]
    llm_direct = dict(query(root, "select tenant_id, sum(amount_usd) from marts.cost_ledger where cost_source = 'llm' "
                                  "and rule_id = 'direct' group by 1"))
    assert llm_direct == {t: a for t, a in day.llm_per_tenant.items()}
