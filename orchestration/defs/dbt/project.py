"""The dbt project, with its manifest prepared by `dagster-dbt project prepare-and-package`."""

from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import Settings

Settings.from_env().export_dbt_env()

sibyl_dbt_project = DbtProject(
    project_dir=Path(__file__).resolve().parents[3] / "dbt_project",
    profiles_dir=Path(__file__).resolve().parents[3] / "dbt_project",
)
sibyl_dbt_project.prepare_if_dev()
