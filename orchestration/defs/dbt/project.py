"""The dbt project, with its manifest prepared by `dagster-dbt project prepare-and-package`."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster_dbt import DagsterDbtTranslator, DbtProject

from orchestration.settings import Settings

Settings.from_env().export_dbt_env()

sibyl_dbt_project = DbtProject(
    project_dir=Path(__file__).resolve().parents[3] / "dbt_project",
    profiles_dir=Path(__file__).resolve().parents[3] / "dbt_project",
)
sibyl_dbt_project.prepare_if_dev()


class SibylDbtTranslator(DagsterDbtTranslator):
    """dbt assets grouped by layer and concern: config (seeds), staging, intermediate,
    marts_finops / marts_focus / marts_ops / marts_ml (the folder under models/marts)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "config"
        fqn = list(dbt_resource_props.get("fqn") or [])
        if len(fqn) > 3 and fqn[1] == "marts":
            return f"marts_{fqn[2]}"
        return str(fqn[1]) if len(fqn) > 2 else super().get_group_name(dbt_resource_props)


sibyl_dbt_translator = SibylDbtTranslator()
