"""AWS and GCP pricing rules of issue 17, each checked against the public price it cites.

Expected values come from the sources, not from the code under test: apache-libcloud 3.9.1
pricing.json (EC2 Linux t3.large: us-east-1 0.0882, us-east-2 0.0832; AWS's on-demand page lists
both regions at $0.0832), and the curated rows' pages: Aurora db.t3.large $0.164/hour
(aws.amazon.com/rds/aurora/pricing), RDS for Oracle BYOL db.t3.large $0.136/hour
(aws.amazon.com/rds/oracle/pricing), RDS Extended Support $0.10/vCPU-hour, RDS io1 $0.125/GB-month
and $0.10/IOPS-month (aws.amazon.com/rds/mysql/pricing), ElastiCache cache.r5.4xlarge
$1.724/hour (aws.amazon.com/elasticache/pricing), CloudWatch $0.30/metric-month; Google's GPU
page (cloud.google.com/compute/gpus-pricing: T4 $0.35, K80 $0.45 per GPU-hour in us-central1)
with the 30% full-month sustained-use discount, Cyclenerd pricing.yml (local SSD us-central1
$0.08/GB-month, pd-standard $0.04/GB-month).
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

from iac_gate.catalog_build import libcloud_rows
from iac_gate.plan import parse_plan_document
from iac_gate.pricing import price_changes
from tests.gate_plans import change, plan, priced

H = D(730)


def test_us_east_regions_take_the_lower_of_libcloud_entries(tmp_path: Path, catalog) -> None:
    doc = {"updated": 0, "compute": {"ec2_linux": {
        "t3.large": {"us-east-1": 0.0882, "us-east-2": 0.0832, "eu-west-1": 0.0912},
        "c5.2xlarge": {"us-east-1": 0.34, "us-east-2": 0.361},
        "t3.medium": {"us-east-1": 0.0, "us-east-2": 0.0416},
    }}}  # fmt: skip
    src = tmp_path / "pricing.json"
    src.write_text(json.dumps(doc))
    first: dict[tuple[str, str], str] = {}
    for row in libcloud_rows(src):
        first.setdefault((row[2], row[4]), row[7])  # the build keeps a key's first row
    assert first[("t3.large", "us-east-1")] == first[("t3.large", "us-east-2")] == "0.0832"
    assert first[("c5.2xlarge", "us-east-1")] == first[("c5.2xlarge", "us-east-2")] == "0.34"
    assert first[("t3.large", "eu-west-1")] == "0.0912"
    assert D(first[("t3.medium", "us-east-1")]) == 0  # unknown stays unknown (the build drops 0)
    # and the shipped catalog was built that way
    r = priced(plan(change("aws_instance", "t", {"instance_type": "t3.large"})), catalog)
    assert r["aws_instance.t"].after.components[0].unit_price == D("0.0832")


def test_only_launch_configurations_enable_detailed_monitoring_by_default(catalog) -> None:
    lt = change("aws_launch_template", "lt", {"image_id": "ami", "instance_type": "t3.medium"})
    lc = change("aws_launch_configuration", "lc", {"image_id": "ami", "instance_type": "t3.medium"})
    asg_lt = change(
        "aws_autoscaling_group", "a", {"desired_capacity": 2, "launch_template": [{"id": "x"}]}
    )
    asg_lc = change(
        "aws_autoscaling_group", "b", {"desired_capacity": 2, "launch_configuration": "y"}
    )
    doc = plan(lt, lc, asg_lt, asg_lc)
    doc["configuration"]["root_module"] = {"resources": [
        {"address": "aws_autoscaling_group.a", "mode": "managed", "type": "aws_autoscaling_group",
         "name": "a", "expressions": {"launch_template": [
             {"id": {"references": ["aws_launch_template.lt.id", "aws_launch_template.lt"]}}]}},
        {"address": "aws_autoscaling_group.b", "mode": "managed", "type": "aws_autoscaling_group",
         "name": "b", "expressions": {"launch_configuration": {
             "references": ["aws_launch_configuration.lc.id", "aws_launch_configuration.lc"]}}},
    ]}  # fmt: skip
    out = priced(doc, catalog)
    a = out["aws_autoscaling_group.a"].after.components
    b = out["aws_autoscaling_group.b"].after.components
    assert a[0].unit_price == b[0].unit_price == D("0.0416")  # the template was found
    assert not any("monitoring" in c.name for c in a)
    mon = [c for c in b if "monitoring" in c.name]
    assert mon and mon[0].monthly_cost == 2 * 7 * D("0.30")


def test_eks_node_group_template_without_a_type_launches_t3_medium(tmp_path: Path) -> None:
    from iac_gate.gate import run_gate

    (tmp_path / "main.tf").write_text(
        """
provider "aws" { region = "us-east-1" }
resource "aws_launch_template" "lt" {
  name = "lt"
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs { volume_size = 20 }
  }
}
resource "aws_eks_node_group" "ng" {
  cluster_name  = "c"
  node_role_arn = "r"
  subnet_ids    = ["s"]
  scaling_config {
    desired_size = 3
    max_size     = 3
    min_size     = 1
  }
  launch_template {
    id      = aws_launch_template.lt.id
    version = "1"
  }
}
"""
    )
    res = {r.change.address: r for r in run_gate(tmp_path).resources}
    ng = res["aws_eks_node_group.ng"]
    assert ng.status == "priced"
    inst = ng.after.components[0]
    assert "t3.medium" in inst.name and inst.monthly_cost == 3 * H * D("0.0416")


def test_aurora_engine_on_db_instance_and_its_extended_support(catalog) -> None:
    db = {"engine": "aurora-postgresql", "engine_version": "11.22", "instance_class": "db.t3.large"}
    r = priced(plan(change("aws_db_instance", "a", db)), catalog)["aws_db_instance.a"]
    assert r.status == "priced"
    fixed = [c for c in r.after.components if not c.usage_based]
    assert fixed[0].monthly_cost == H * D("0.164")
    assert fixed[1].monthly_cost == 2 * H * D("0.10")  # db.t3.large: 2 vCPUs
    assert r.monthly_cost == H * D("0.164") + 2 * H * D("0.10")


def test_oracle_licence_models(catalog) -> None:
    out = priced(
        plan(
            change("aws_db_instance", "ee", {"engine": "oracle-ee", "instance_class": "db.t3.large"}),
            change("aws_db_instance", "se2", {"engine": "oracle-se2", "instance_class": "db.t3.large"}),
            change("aws_db_instance", "se2b", {"engine": "oracle-se2", "instance_class": "db.t3.large",
                                               "license_model": "bring-your-own-license"}),
        ),
        catalog,
    )  # fmt: skip
    for addr in ("aws_db_instance.ee", "aws_db_instance.se2b"):
        assert out[addr].after.components[0].monthly_cost == H * D("0.136")
    # licence-included SE2 has no row: partial, never priced at the BYOL rate
    se2 = out["aws_db_instance.se2"]
    assert se2.status == "partial" and "engine=oracle-se2" in se2.unpriced_reason


def test_rds_io1_without_iops_prices_the_1000_iops_minimum(catalog) -> None:
    db = {"engine": "mysql", "instance_class": "db.t3.large", "storage_type": "io1",
          "allocated_storage": 100}  # fmt: skip
    r = priced(plan(change("aws_db_instance", "d", db)), catalog)["aws_db_instance.d"]
    assert r.status == "priced"
    iops = [c for c in r.after.components if "IOPS" in c.name][0]
    assert "minimum" in iops.name and iops.monthly_cost == 1000 * D("0.10")
    assert r.monthly_cost == H * D("0.136") + 100 * D("0.125") + 1000 * D("0.10")


def test_elasticache_large_node_types(catalog) -> None:
    rg = {"node_type": "cache.r5.4xlarge", "num_cache_clusters": 2}
    r = priced(plan(change("aws_elasticache_replication_group", "r", rg)), catalog)
    assert r["aws_elasticache_replication_group.r"].monthly_cost == 2 * H * D("1.724")


def test_gpus_priced_with_the_full_month_discount_and_counted_per_block(tmp_path: Path) -> None:
    from iac_gate.gate import run_gate

    (tmp_path / "main.tf").write_text(
        """
provider "google" { region = "us-central1" }
resource "google_compute_instance" "vm" {
  name         = "vm"
  machine_type = "n1-standard-4"
  zone         = "us-central1-a"
  boot_disk {
    initialize_params { size = 10 }
  }
  guest_accelerator {
    type  = "nvidia-tesla-t4"
    count = 2
  }
}
resource "google_container_cluster" "c" {
  name               = "c"
  location           = "us-central1-a"
  initial_node_count = 3
  node_config {
    machine_type    = "n1-standard-4"
    local_ssd_count = 1
    guest_accelerator {
      type  = "nvidia-tesla-k80"
      count = 4
    }
  }
}
"""
    )
    res = {r.change.address: r for r in run_gate(tmp_path).resources}
    vm = res["google_compute_instance.vm"]
    gpu = [c for c in vm.after.components if "GPU" in c.name][0]
    assert vm.status == "priced" and gpu.monthly_cost == 2 * H * D("0.35") * D("0.7")
    gke = res["google_container_cluster.c"].after.components
    gpus = [c for c in gke if "GPU" in c.name][0]
    assert gpus.monthly_cost == 3 * 4 * H * D("0.45") * D("0.7")  # `count` inside the block
    ssd = [c for c in gke if "Local SSD" in c.name][0]
    assert ssd.monthly_cost == 3 * 375 * D("0.08")
    boot = [c for c in gke if "boot" in c.name][0]
    assert "pd-standard" in boot.name and boot.monthly_cost == 3 * 100 * D("0.04")


def test_spot_gpus_stay_unpriced(catalog) -> None:
    vm = {"machine_type": "n1-standard-4", "zone": "us-central1-a",
          "scheduling": [{"provisioning_model": "SPOT"}],
          "guest_accelerator": [{"type": "nvidia-tesla-t4", "count": 1}]}  # fmt: skip
    r = priced(plan(change("google_compute_instance", "s", vm)), catalog)
    assert r["google_compute_instance.s"].status == "partial"


def test_ebs_optimized_fee_only_where_aws_bills_one(catalog) -> None:
    out = priced(
        plan(
            change("aws_instance", "m3l", {"instance_type": "m3.large", "ebs_optimized": True}),
            change("aws_instance", "m5l", {"instance_type": "m5.large", "ebs_optimized": True}),
            change("aws_instance", "r3x", {"instance_type": "r3.xlarge", "ebs_optimized": True}),
        ),
        catalog,
    )
    # m3.large does not offer EBS optimization, m5.large has it built in: no fee, priced
    for addr in ("aws_instance.m3l", "aws_instance.m5l"):
        r = out[addr]
        assert r.status == "priced" and not any(
            "EBS-optimized" in c.name for c in r.after.components
        )
    # r3.xlarge offers it for an hourly fee: $0.02/hour in us-east-1 (AWS's EBS-optimized fee file)
    r3 = out["aws_instance.r3x"]
    fee = [c for c in r3.after.components if "EBS-optimized" in c.name]
    assert r3.status == "priced" and fee[0].unit_price == D("0.02")
    # where the file lists no fee (eu-central-1 opened after it), the fee is a named unpriced part
    eu = priced(
        plan(
            change("aws_instance", "r3x", {"instance_type": "r3.xlarge", "ebs_optimized": True}),
            regions={"aws": "eu-central-1"},
        ),
        catalog,
    )["aws_instance.r3x"]
    assert eu.status == "partial" and "EBS-optimized hourly fee of r3.xlarge" in eu.unpriced_reason


def test_instances_on_a_dedicated_host_bill_the_host(catalog) -> None:
    out = priced(
        plan(
            change("aws_ec2_host", "h", {"instance_type": "mac1.metal", "availability_zone": "us-east-1a"}),
            change("aws_instance", "i", {"instance_type": "mac1.metal", "host_id": "h-123",
                                         "root_block_device": [{"volume_size": 50}]}),
        ),
        catalog,
    )  # fmt: skip
    assert out["aws_ec2_host.h"].monthly_cost == H * D("1.083")  # mac1.metal host-hour
    i = out["aws_instance.i"]
    assert i.status == "priced" and i.monthly_cost == 50 * D("0.10")  # the root volume only


def test_a_launch_template_named_through_a_local_is_found(tmp_path: Path) -> None:
    from iac_gate.gate import run_gate

    (tmp_path / "main.tf").write_text(
        """
provider "aws" { region = "us-east-1" }
locals { lt_name = aws_launch_template.p.name }
resource "aws_launch_template" "p" {
  name_prefix = "p-"
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_type = "gp3"
      volume_size = 100
    }
  }
}
resource "aws_eks_node_group" "ng" {
  cluster_name   = "c"
  node_role_arn  = "r"
  subnet_ids     = ["s"]
  instance_types = ["m5.large"]
  scaling_config {
    desired_size = 2
    max_size     = 2
    min_size     = 1
  }
  launch_template {
    name    = local.lt_name
    version = "1"
  }
}
"""
    )
    ng = {r.change.address: r for r in run_gate(tmp_path).resources}["aws_eks_node_group.ng"]
    disks = [c for c in ng.after.components if "gp3" in c.name]
    assert disks and disks[0].monthly_cost == 2 * 100 * D("0.08")  # the template's volume


def test_managed_microsoft_ad_editions_and_unpriced_simple_ad(catalog) -> None:
    # aws.amazon.com/directoryservice/pricing: Managed Microsoft AD Standard $0.12/hour and
    # Enterprise $0.40/hour per directory (two domain controllers); the provider defaults to
    # Enterprise. Simple AD has no row: unpriced with its reason, never $0 as priced.
    out = priced(
        plan(
            change("aws_directory_service_directory", "std", {"type": "MicrosoftAD", "edition": "Standard"}),
            change("aws_directory_service_directory", "ent", {"type": "MicrosoftAD"}),
            change("aws_directory_service_directory", "sad", {"type": "SimpleAD", "size": "Small"}),
        ),
        catalog,
    )  # fmt: skip
    assert out["aws_directory_service_directory.std"].monthly_cost == H * D("0.12")
    assert out["aws_directory_service_directory.ent"].monthly_cost == H * D("0.40")
    sad = out["aws_directory_service_directory.sad"]
    assert not sad.priced and "simple-ad-small" in sad.unpriced_reason


def test_autopilot_pods_are_usage_priced(catalog) -> None:
    # cloud.google.com/kubernetes-engine/pricing: $0.10/hour cluster fee; Autopilot pods
    # $0.0445 per vCPU-hour and $0.0049225 per GB-hour (us-central1)
    c = {"location": "us-central1", "enable_autopilot": True}
    doc = plan(change("google_container_cluster", "a", c))
    r = priced(doc, catalog)["google_container_cluster.a"]
    assert r.status == "priced" and r.monthly_cost == H * D("0.10")
    used = {r.change.address: r for r in price_changes(
        parse_plan_document(doc, "t"), catalog,
        {"google_container_cluster.a": {"autopilot_vcpu_hours": 1460, "autopilot_memory_gb_hours": 5840}},
    )}["google_container_cluster.a"]  # fmt: skip
    assert used.monthly_cost == H * D("0.10") + 1460 * D("0.0445") + 5840 * D("0.0049225")


def test_lightsail_instances_bill_their_bundle(catalog) -> None:
    # aws.amazon.com/lightsail/pricing: the Linux 16 GB plan (xlarge) $84/month, the Windows 2 GB
    # plan (small) $22/month, billed by the hour at the monthly price over 744 hours (Lightsail
    # billing FAQ: $5/month = $0.0067/hour), 730 hours a month
    out = priced(
        plan(
            change("aws_lightsail_instance", "l", {"bundle_id": "xlarge_2_0", "availability_zone": "us-east-1a"}),
            change("aws_lightsail_instance", "w", {"bundle_id": "small_win_2_0", "availability_zone": "us-east-1a"}),
            change("aws_lightsail_instance", "x", {"bundle_id": "gpu_xl_1_0", "availability_zone": "us-east-1a"}),
        ),
        catalog,
    )  # fmt: skip
    assert out["aws_lightsail_instance.l"].monthly_cost == D(84) * H / 744
    assert out["aws_lightsail_instance.w"].monthly_cost == D(22) * H / 744
    assert out["aws_lightsail_instance.x"].status == "unpriced"  # no row: said, not $0
