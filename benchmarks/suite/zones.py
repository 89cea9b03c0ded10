"""The landing zones a benchmark runs on (made by `unitcost generate`, reused while their parameters match) and the
config each stage runs with: the generated one, plus the benchmark's allocation policy, its own warehouse file and,
for L, a DuckDB memory limit."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

MARKER = "bench-zone.json"
BIN = Path(sys.executable).parent

# idle shared over the pods and three rules: the platform namespaces evenly per cluster, AWS support by direct
# cost, NAT gateways and data transfer by requests (docs/allocation.md, The policy)
POLICY = {
    "idle": "share",
    "rules": [
        {"id": "platform", "match": {"namespace": ["kube-system", "monitoring"]}, "method": "even", "scope": "cluster"},
        {"id": "support", "match": {"service": ["AWSSupportBusiness", "AWSSupportEnterprise", "AWSSupportDeveloper"]},
         "method": "proportional"},
        {"id": "network", "match": {"usage_type": ["%NatGateway%", "%DataTransfer%"]}, "method": "requests"},
    ],
    "shared_workloads": "requests",
}

# today's sizes when the generator has no --size (issue 13 names them; L = 10 x M in volume)
FALLBACK_SIZES = {"S": ["--days", "14", "--tenants", "50"], "M": ["--days", "30", "--tenants", "500"],
                  "L": ["--days", "30", "--tenants", "500", "--scale", "10"]}


def generator_has_size() -> bool:
    proc = subprocess.run([str(BIN / "unitcost"), "generate", "--help"], capture_output=True, text=True)
    return "--size" in proc.stdout


def generate_args(size: str, days: int | None, tenants: int | None) -> list[str]:
    """`unitcost generate` arguments for a size, hourly OpenCost steps, and the explicit overrides."""
    if generator_has_size():
        args = ["--size", size]
    else:
        args = list(FALLBACK_SIZES[size])
    for flag, value in (("--days", days), ("--tenants", tenants)):
        if value is not None:
            if flag in args:
                i = args.index(flag)
                del args[i:i + 2]
            args += [flag, str(value)]
    return args + ["--opencost-step", "1h"]


@dataclass
class Zone:
    path: Path
    args: list[str]
    generated_seconds: float | None  # None: reused from an earlier run

    @property
    def config(self) -> Path:
        return self.path / "unitcost.yaml"

    def start(self):
        from datetime import date

        return date.fromisoformat(str(yaml.safe_load(self.config.read_text())["start_date"]))

    def end(self):
        """The last day of the generator's truth (ground_truth/daily_truth.csv)."""
        import csv
        from datetime import date

        with (self.path / "ground_truth" / "daily_truth.csv").open() as fh:
            return max(date.fromisoformat(r["usage_date"]) for r in csv.DictReader(fh))


def ensure_zone(path: Path, args: list[str], log, run_measured) -> Zone:
    """The zone at `path`, generated with `args` unless a zone of exactly those arguments is already there."""
    marker = path / MARKER
    if marker.exists() and json.loads(marker.read_text()).get("args") == args and (path / "unitcost.yaml").exists():
        return Zone(path, args, None)
    shutil.rmtree(path, ignore_errors=True)
    measured = run_measured([str(BIN / "unitcost"), "generate", "--out", str(path), *args], log)
    if not measured.ok:
        raise SystemExit(f"unitcost generate {' '.join(args)} failed:\n{measured.tail()}")
    marker.write_text(json.dumps({"args": args, "seconds": measured.wall_seconds}))
    return Zone(path, args, measured.wall_seconds)


def bench_config(zone: Zone, name: str, memory_limit: str | None = None) -> Path:
    """<zone>/bench-<name>.yaml: the zone's config with the benchmark policy and the warehouse
    warehouse/<name>.duckdb (removed first: every stage starts from an empty warehouse)."""
    raw = yaml.safe_load(zone.config.read_text())
    warehouse = dict(raw.get("warehouse") or {})
    warehouse["path"] = f"warehouse/{name}.duckdb"
    warehouse["serving_path"] = f"warehouse/{name}_serving.duckdb"
    if memory_limit:
        warehouse["memory_limit"] = memory_limit
    raw["warehouse"] = warehouse
    raw["allocation"] = POLICY
    raw["report"] = {"path": f"report-{name}"}
    for stale in zone.path.glob(f"warehouse/{name}*"):
        stale.unlink()
    out = zone.path / f"bench-{name}.yaml"
    out.write_text(yaml.safe_dump(raw, sort_keys=False))
    return out
