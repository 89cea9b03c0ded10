"""The allocation policy a FinOps team sets under `allocation:` in the config file (docs/allocation.md, "The
policy"), validated when the config is loaded, i.e. before anything runs.

A dollar that has no owner of its own (no tenant, no feature, not Bedrock) is moved by the first rule whose `match`
holds for it; `method` and `scope` say who receives it. `idle` says what happens to node idle, `shared_workloads`
how a feature without a tenant is split. Without an `allocation:` key the default below applies (the rules the
project shipped as a seed before the policy moved into the config).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from dagster_project.lib.errors import ConfigError

IDLE_MODES = ("keep", "share", "share_by_node")
USAGE_METHODS = ("requests", "tokens", "llm_cost")  # drivers that have no account or cluster
METHODS = ("proportional", "even", "fixed", *USAGE_METHODS)
SCOPES = ("all", "account", "cluster")
POD_KEYS = ("namespace",)  # only a pod has them
BILL_KEYS = ("service", "line_item_type", "usage_type")  # only a bill row has them
MATCH_KEYS = (*POD_KEYS, "label", *BILL_KEYS)  # label: a pod's labels, a bill row's tags
RULE_KEYS = ("id", "match", "method", "scope", "shares")
ALLOCATION_KEYS = ("idle", "rules", "shared_workloads")
SHARE_DECIMALS = 18  # raw.allocation_policy_shares.share is DECIMAL(38, 18)
SENTINELS = ("__idle__", "__unallocated__")
# rule ids the pipeline itself writes into the ledger: a policy rule named like one would be indistinguishable
RESERVED_RULE_IDS = ("direct", "node_idle", "idle_share", "no_driver", "no_opencost", "untagged", "unlabeled_pod",
                     "bedrock_calls", "llm_invoice_residual")


@dataclass(frozen=True)
class Condition:
    """One value of one match key: `label_key` only for `label`; `pattern` is a LIKE pattern for usage_type."""

    match_key: str
    label_key: str | None
    pattern: str


@dataclass(frozen=True)
class Rule:
    id: str
    conditions: tuple[Condition, ...]
    method: str = "proportional"
    scope: str = "all"
    shares: tuple[tuple[str, Decimal], ...] = ()  # fixed only: (tenant, share), summing to exactly 1

    def describe_match(self) -> str:
        return "; ".join(f"{c.match_key}{f'.{c.label_key}' if c.label_key else ''}={c.pattern}"
                         for c in self.conditions)


@dataclass(frozen=True)
class AllocationPolicy:
    idle: str
    rules: tuple[Rule, ...]
    shared_workloads: str  # the method of every feature not listed in shared_workload_features
    shared_workload_features: tuple[tuple[str, str], ...] = ()  # (feature, method)


DEFAULT_ALLOCATION: dict[str, Any] = {
    "idle": "keep",
    "rules": [
        {"id": "shared_namespaces", "match": {"namespace": ["kube-system", "monitoring"]}, "method": "proportional"},
        {"id": "shared_services", "match": {"service": ["AWSSupportBusiness", "AWSSupportEnterprise",
                                                        "AWSSupportDeveloper"]}, "method": "proportional"},
        {"id": "shared_services", "match": {"line_item_type": ["Tax"]}, "method": "proportional"},
        {"id": "shared_services", "match": {"usage_type": ["%NatGateway%"]}, "method": "proportional"},
    ],
    "shared_workloads": "requests",
}


def _one_of(where: str, key: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")
    return value


def _unknown_keys(where: str, key: str, raw: dict, allowed: tuple[str, ...]) -> None:
    for k in raw:
        if k not in allowed:
            raise ConfigError(f"{where}: {key}.{k}: unknown key (expected one of {', '.join(allowed)})")


def _values(where: str, key: str, raw: Any) -> list[str]:
    """A match value: one string or a non-empty list of strings (numbers are read as their text)."""
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise ConfigError(f"{where}: {key} is an empty list (expected at least one value)")
    out = []
    for v in items:
        if isinstance(v, bool) or not isinstance(v, (str, int, float)) or str(v) == "":
            raise ConfigError(f"{where}: {key} value {v!r} is not a non-empty string")
        out.append(str(v))
    return out


def _conditions(where: str, key: str, raw: Any) -> tuple[Condition, ...]:
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{where}: {key} is {raw!r}, an empty match (expected e.g. {{namespace: [kube-system]}})")
    _unknown_keys(where, key, raw, MATCH_KEYS)
    out: list[Condition] = []
    for match_key, value in raw.items():
        if match_key == "label":
            if not isinstance(value, dict) or not value:
                raise ConfigError(f"{where}: {key}.label is {value!r} (expected a mapping {{label key: value}})")
            for label_key, label_values in value.items():
                out += [Condition("label", str(label_key), v)
                        for v in _values(where, f"{key}.label.{label_key}", label_values)]
        else:
            out += [Condition(match_key, None, v) for v in _values(where, f"{key}.{match_key}", value)]
    keys = {c.match_key for c in out}
    if keys & set(POD_KEYS) and keys & set(BILL_KEYS):
        raise ConfigError(f"{where}: {key} combines {sorted(keys)}: a pod key (namespace) and a bill key "
                          f"({', '.join(BILL_KEYS)}) never hold for the same dollar")
    return tuple(out)


def _shares(where: str, raw: Any) -> tuple[tuple[str, Decimal], ...]:
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{where}: shares is {raw!r} (expected a mapping {{tenant: share}} summing to 1)")
    out = []
    for tenant, value in raw.items():
        tenant = str(tenant)
        if tenant in SENTINELS:
            raise ConfigError(f"{where}: shares.{tenant}: a sentinel is not a tenant")
        try:
            share = Decimal(str(value))
        except InvalidOperation:
            raise ConfigError(f"{where}: shares.{tenant} is {value!r} (expected a number)") from None
        if isinstance(value, bool) or not share.is_finite() or share <= 0:
            raise ConfigError(f"{where}: shares.{tenant} is {value!r} (expected a number > 0)")
        if share.as_tuple().exponent < -SHARE_DECIMALS:
            raise ConfigError(f"{where}: shares.{tenant} is {value!r} (expected at most {SHARE_DECIMALS} decimals)")
        out.append((tenant, share))
    total = sum((s for _, s in out), Decimal(0))
    if total != 1:
        raise ConfigError(f"{where}: shares sum to {total} (expected exactly 1)")
    return tuple(out)


def _rule(where: str, raw: Any) -> Rule:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: {raw!r} is not a rule (expected a mapping with id, match, method)")
    _unknown_keys(where, "rule", raw, RULE_KEYS)
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise ConfigError(f"{where}: id is {rule_id!r} (expected a non-empty string)")
    if rule_id in RESERVED_RULE_IDS or rule_id.startswith("shared_workload_"):
        raise ConfigError(f"{where}: id {rule_id!r} is a rule id the pipeline writes itself (choose another)")
    where = f"{where} ({rule_id})"
    method = _one_of(where, "method", raw.get("method", "proportional"), METHODS)
    scope = _one_of(where, "scope", raw.get("scope", "all"), SCOPES)
    conditions = _conditions(where, "match", raw.get("match"))
    if method == "fixed":
        if "shares" not in raw:
            raise ConfigError(f"{where}: method fixed needs shares (a mapping {{tenant: share}} summing to 1)")
        shares = _shares(where, raw["shares"])
    elif "shares" in raw:
        raise ConfigError(f"{where}: shares {raw['shares']!r} given for method {method} (only method fixed has shares)")
    else:
        shares = ()
    if scope == "cluster" and {c.match_key for c in conditions} - {*POD_KEYS, "label"}:
        raise ConfigError(f"{where}: scope cluster with match {raw['match']!r}: only pods have a cluster "
                          "(expected a match on namespace / label only)")
    if method in USAGE_METHODS and scope != "all":
        raise ConfigError(f"{where}: scope {scope} with method {method}: {method} has no account or cluster "
                          "(expected scope all)")
    return Rule(rule_id, conditions, method, scope, shares)


def _shared_workloads(where: str, raw: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    key = f"{where}: allocation.shared_workloads"
    if isinstance(raw, str):
        return _one_of(key, "method", raw, USAGE_METHODS), ()
    if not isinstance(raw, dict):
        raise ConfigError(f"{key} is {raw!r} (expected one of {', '.join(USAGE_METHODS)}, or "
                          "{default: ..., features: {feature: ...}})")
    _unknown_keys(where, "allocation.shared_workloads", raw, ("default", "features"))
    default = _one_of(key, "default", raw.get("default", "requests"), USAGE_METHODS)
    features = raw.get("features") or {}
    if not isinstance(features, dict):
        raise ConfigError(f"{key}.features is {features!r} (expected a mapping {{feature: method}})")
    return default, tuple((str(f), _one_of(f"{key}.features", str(f), m, USAGE_METHODS)) for f, m in features.items())


def parse_allocation(raw: Any, where: str) -> AllocationPolicy:
    """The policy under `allocation:`; a missing key takes its default (no `rules` key = the default rules,
    `rules: []` = none). Every mistake is a ConfigError naming the key, the value and what was expected."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: allocation is {raw!r} (expected a mapping with idle, rules, shared_workloads)")
    _unknown_keys(where, "allocation", raw, ALLOCATION_KEYS)
    idle = _one_of(f"{where}: allocation", "idle", raw.get("idle", DEFAULT_ALLOCATION["idle"]), IDLE_MODES)
    raw_rules = raw["rules"] if "rules" in raw else DEFAULT_ALLOCATION["rules"]
    if not isinstance(raw_rules, list):
        raise ConfigError(f"{where}: allocation.rules is {raw_rules!r} (expected a list of rules, in order)")
    rules = tuple(_rule(f"{where}: allocation.rules[{i}]", r) for i, r in enumerate(raw_rules or []))
    seen: dict[str, Rule] = {}
    for i, rule in enumerate(rules):
        first = seen.setdefault(rule.id, rule)
        if (first.method, first.scope, first.shares) != (rule.method, rule.scope, rule.shares):
            raise ConfigError(f"{where}: allocation.rules[{i}] ({rule.id}): method {rule.method}, scope {rule.scope}"
                              f" differ from the earlier rule {rule.id} (expected the same method, scope and shares:"
                              " one rule id is one pool)")
    default, features = _shared_workloads(where, raw.get("shared_workloads", DEFAULT_ALLOCATION["shared_workloads"]))
    return AllocationPolicy(idle=idle, rules=rules, shared_workloads=default, shared_workload_features=features)
