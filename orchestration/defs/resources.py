"""Resources: Sibyl settings and the dbt CLI."""

import dataclasses
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.project import sibyl_dbt_project
from orchestration.settings import Settings


class SibylSettings(dg.ConfigurableResource):
    """Where the landing files, lake, warehouse and published marts are (env by default)."""

    landing_root: str = ""
    lake_root: str = ""
    warehouse_path: str = ""
    marts_dir: str = ""
    ci_artifacts_root: str = ""
    policies_dir: str = ""
    budgets_file: str = ""
    webhooks_file: str = ""

    def resolved(self) -> Settings:
        base = Settings.from_env()
        return dataclasses.replace(
            base,
            landing_root=self.landing_root or base.landing_root,
            lake_root=self.lake_root or base.lake_root,
            warehouse_path=self.warehouse_path or base.warehouse_path,
            marts_dir=self.marts_dir or base.marts_dir,
            ci_artifacts_root=self.ci_artifacts_root or base.ci_artifacts_root,
            policies_dir=self.policies_dir or base.policies_dir,
            budgets_file=self.budgets_file or base.budgets_file,
            webhooks_file=self.webhooks_file or base.webhooks_file,
        )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "sibyl": SibylSettings(),
            "dbt": DbtCliResource(
                project_dir=sibyl_dbt_project,
                # the dbt installed beside this interpreter (the project's .venv), not PATH's
                dbt_executable=str(Path(sys.executable).parent / "dbt"),
            ),
        }
    )
