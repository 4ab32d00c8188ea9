"""EC2 rules of issue 17 (Auto Scaling group size, EBS-optimized fees, dedicated tenancy), each
checked against the public list price it cites, computed here by hand.

Prices: EC2 on-demand Linux t2.medium us-east-1 $0.0464/hour (apache-libcloud pricing.json, the
catalog's source; aws.amazon.com/ec2/pricing/on-demand lists the same), EBS gp2 $0.10/GB-month
(aws.amazon.com/ebs/pricing).
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from iac_gate.gate import run_gate

H = D(730)
T2_MEDIUM = D("0.0464")

ASGS = """
provider "aws" { region = "us-east-1" }
resource "aws_launch_template" "lt" {
  image_id      = "ami"
  instance_type = "t2.medium"
  block_device_mappings {
    device_name = "xvdf"
    ebs { volume_size = 10 }
  }
}
resource "aws_autoscaling_group" "from_min" {
  launch_template { id = aws_launch_template.lt.id }
  max_size = 3
  min_size = 2
}
resource "aws_autoscaling_group" "scale_to_zero" {
  launch_template { id = aws_launch_template.lt.id }
  max_size = 3
  min_size = 0
}
resource "aws_autoscaling_group" "stopped" {
  launch_template { id = aws_launch_template.lt.id }
  desired_capacity = 0
  max_size         = 3
  min_size         = 0
}
"""


def _gate(tmp_path: Path, text: str, usage: str | None = None) -> dict:
    (tmp_path / "main.tf").write_text(text)
    u = None
    if usage is not None:
        u = tmp_path / "usage.yml"
        u.write_text(usage)
    return {r.change.address: r for r in run_gate(tmp_path, usage_path=u).resources}


def test_asg_size_desired_capacity_else_min_size_else_one_assumed(tmp_path: Path) -> None:
    res = _gate(tmp_path, ASGS)
    per_instance = H * T2_MEDIUM + 10 * D("0.10")
    assert res["aws_autoscaling_group.from_min"].monthly_cost == 2 * per_instance
    zero = res["aws_autoscaling_group.scale_to_zero"]
    assert zero.status == "priced" and zero.monthly_cost == per_instance
    assert "1 instance assumed" in zero.after.components[0].name
    assert res["aws_autoscaling_group.stopped"].monthly_cost == 0  # an explicit 0 is 0


def test_asg_instance_count_from_the_usage_file(tmp_path: Path) -> None:
    usage = "version: 1\nresources:\n  aws_autoscaling_group.scale_to_zero: {instance_count: 3}\n"
    res = _gate(tmp_path, ASGS, usage)
    zero = res["aws_autoscaling_group.scale_to_zero"]
    assert zero.monthly_cost == 3 * (H * T2_MEDIUM + 10 * D("0.10"))
    assert "assumed" not in zero.after.components[0].name


def test_ebs_optimized_fee_only_where_aws_bills_it(tmp_path: Path) -> None:
    """AWS's EBS-optimized fee file (pricing-ebs-optimized-instances.min.js, us-east): r3.xlarge
    $0.02/hour; r3.xlarge Linux on-demand $0.333/hour (libcloud, the catalog's source). Types
    with EBS optimization built in (m5.large) carry no fee."""
    res = _gate(
        tmp_path,
        """
provider "aws" { region = "us-east-1" }
resource "aws_instance" "r3" {
  ami           = "ami"
  instance_type = "r3.xlarge"
  ebs_optimized = true
  root_block_device { volume_size = 8 }
}
resource "aws_instance" "m5" {
  ami           = "ami"
  instance_type = "m5.large"
  ebs_optimized = true
  root_block_device { volume_size = 8 }
}
""",
    )
    r3 = res["aws_instance.r3"]
    fee = [c for c in r3.after.components if c.name.startswith("EBS-optimized")]
    assert fee and fee[0].unit_price == D("0.02") and fee[0].quantity == H
    assert "pricing-ebs-optimized-instances" in str(fee[0].price_source)
    assert r3.monthly_cost == H * (D("0.333") + D("0.02")) + 8 * D("0.10")
    assert not any(
        c.name.startswith("EBS-optimized") for c in res["aws_instance.m5"].after.components
    )
