"""The dbt project (dbt/), as dagster-dbt needs it: a manifest parsed before the asset definitions are built."""

from __future__ import annotations

import os
import shutil
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from dagster_dbt import DbtProject

REPO_ROOT = Path(__file__).resolve().parents[3]
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
SEEDS_DIR = REPO_ROOT / "seeds"
DBT_TARGET_DIR = DBT_PROJECT_DIR / "target"  # dbt's and dagster-dbt's target folder (dbt_project.yml's target-path)

# dagster-dbt runs `dbt` from PATH; the one installed next to this interpreter is the pinned one
_DBT = Path(sys.executable).with_name("dbt")
if shutil.which("dbt") is None and _DBT.exists():
    os.environ["PATH"] = str(_DBT.parent) + os.pathsep + os.environ.get("PATH", "")


def dbt_executable() -> str:
    """The `dbt` unitcost starts itself (a parse ahead, the docs): the pinned one next to this interpreter, else
    whichever PATH finds."""
    return str(_DBT) if _DBT.exists() else "dbt"


@cache
def dbt_project() -> DbtProject:
    """The dbt project, with its manifest parsed if it is missing or older than a model, macro, test or seed."""
    from dagster_dbt import DbtProject  # not at import: `unitcost demo` reads the paths above before it needs dbt

    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR,
                         target_path=DBT_TARGET_DIR.relative_to(DBT_PROJECT_DIR))
    if _manifest_is_stale(project.manifest_path):
        project.preparer.prepare(project)
    return project


def project_var(name: str):
    """A var's default as dbt_project.yml defines it (the one place such a number is written)."""
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"][name]


def _manifest_is_stale(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [*DBT_PROJECT_DIR.glob("*.yml"), *DBT_PROJECT_DIR.glob("models/**/*"),
               *DBT_PROJECT_DIR.glob("macros/**/*"), *DBT_PROJECT_DIR.glob("tests/**/*"), *SEEDS_DIR.glob("*")]
    return any(p.stat().st_mtime > built for p in sources if p.is_file())
