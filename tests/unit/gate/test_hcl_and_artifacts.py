""".tf folders without a plan, and CI-artifact names that must stay inside their root."""

from __future__ import annotations

import json
import os
from decimal import Decimal as D

import pytest

from iac_gate.errors import GateInputError
from iac_gate.gate import run_gate
from orchestration.lib.ci_artifacts import (
    UnsafeArtifact,
    fetch_plan,
    plan_keys,
    read_sidecar,
    safe_key,
)

TF = """
variable "region" { default = "us-east-1" }
variable "web_count" {
  type    = number
  default = 2
}
variable "env" { default = "dev" }
locals {
  tags = { team = "payments", env = var.env }
  size = var.env == "prod" ? "m5.large" : "t3.micro"
}
provider "aws" { region = var.region }
provider "aws" {
  alias  = "eu"
  region = "eu-west-1"
}
resource "aws_instance" "web" {
  count         = var.web_count
  instance_type = local.size
  tags          = merge(local.tags, { Name = "web-${count.index}" })
  root_block_device {
    volume_size = 10 * 2
    volume_type = "gp3"
  }
}
resource "aws_db_instance" "db" {
  for_each          = { a = "db.t3.micro", b = "db.t3.small" }
  provider          = aws.eu
  engine            = "mysql"
  instance_class    = each.value
  allocated_storage = 20
}
resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = "East US"
}
resource "azurerm_managed_disk" "d" {
  name                 = "d"
  location             = azurerm_resource_group.rg.location
  storage_account_type = "Premium_LRS"
  disk_size_gb         = 128
  create_option        = "Empty"
}
"""


def test_tf_folder_resolves_vars_locals_count_for_each_aliases_and_references(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(TF)
    (tmp_path / "prod.tfvars").write_text('env = "prod"\n')
    res = {r.change.address: r for r in run_gate(tmp_path).resources}
    assert {
        "aws_instance.web[0]",
        "aws_instance.web[1]",
        'aws_db_instance.db["a"]',
        'aws_db_instance.db["b"]',
    } <= set(res)
    web = res["aws_instance.web[1]"]
    assert web.region == "us-east-1" and web.tags == {
        "team": "payments",
        "env": "dev",
        "Name": "web-1",
    }
    assert web.monthly_cost == D("0.0104") * 730 + 20 * D("0.08")  # t3.micro + 20 GB gp3
    db = res['aws_db_instance.db["b"]']
    assert db.region == "eu-west-1"  # provider = aws.eu
    assert db.after.components[0].unit_price == D("0.036")  # db.t3.small MySQL eu-west-1
    assert res["azurerm_managed_disk.d"].region == "eastus"  # from the resource group's location
    assert res["azurerm_managed_disk.d"].monthly_cost == D("19.71")  # P10
    prod = {
        r.change.address: r
        for r in run_gate(
            tmp_path, var_files=[str(tmp_path / "prod.tfvars")], variables={"web_count": "3"}
        ).resources
    }
    assert "aws_instance.web[2]" in prod
    assert prod["aws_instance.web[0]"].after.components[0].unit_price == D("0.096")  # m5.large


def test_tf_syntax_error_names_the_file(tmp_path) -> None:
    (tmp_path / "bad.tf").write_text('resource "aws_instance" "x" {\n  instance_type = \n}\n')
    with pytest.raises(GateInputError) as e:
        run_gate(tmp_path)
    assert "bad.tf" in str(e.value) and "HCL syntax error" in str(e.value)


def test_unresolvable_values_are_unpriced_reasons(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(
        'provider "aws" { region = "us-east-1" }\n'
        'resource "aws_instance" "x" { instance_type = data.aws_ssm_parameter.t.value }\n'
    )
    r = run_gate(tmp_path).resources[0]
    assert not r.priced and "plan time" in r.unpriced_reason


@pytest.mark.parametrize(
    "key",
    [
        "../x.json",
        "/etc/passwd.json",
        "a/../../b.json",
        "a\\b.json",
        "plan.meta.json",
        "notes.txt",
        "",
        ".hidden.json",
        "a//b.json",
    ],
)
def test_unsafe_artifact_names_are_rejected(key) -> None:
    with pytest.raises(UnsafeArtifact):
        safe_key(key)


def test_symlink_out_of_the_root_is_rejected(tmp_path) -> None:
    root, outside = tmp_path / "root", tmp_path / "secret.json"
    root.mkdir()
    outside.write_text("{}")
    os.symlink(outside, root / "evil.json")
    with pytest.raises(UnsafeArtifact):
        fetch_plan(str(root), "evil.json", tmp_path)


def test_plan_keys_cursor_and_sidecar(tmp_path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "pr-1.json").write_text("{}")
    (tmp_path / "repo" / "pr-1.meta.json").write_text(
        json.dumps({"repo": "acme/infra", "pr": 1, "environment": "prod", "bogus": 1})
    )
    changed, rejected, cursor = plan_keys(str(tmp_path), None)
    assert changed == ["repo/pr-1.json"] and rejected == []
    assert plan_keys(str(tmp_path), cursor)[0] == []
    meta, problems = read_sidecar(str(tmp_path), "repo/pr-1.json")
    assert (
        meta == {"repo": "acme/infra", "pr": "1", "environment": "prod"} and "bogus" in problems[0]
    )
    (tmp_path / "repo" / "pr-1.meta.json").write_text(
        json.dumps({"repo": "acme/infra", "team": "payments"})
    )
    assert plan_keys(str(tmp_path), cursor)[0] == [
        "repo/pr-1.json"
    ]  # a new sidecar re-checks the plan


def test_remote_and_missing_module_calls_are_reported_unpriced_not_dropped(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "net" {\n  source = "./net"\n}\n'
        'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n'
    )
    res = {r.change.address: r for r in run_gate(tmp_path).resources}
    assert not res["module.net"].priced and "no .tf files" in res["module.net"].unpriced_reason
    assert (
        not res["module.vpc"].priced and "not a local folder" in res["module.vpc"].unpriced_reason
    )
