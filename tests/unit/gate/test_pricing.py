"""Expected costs computed by hand from cited list prices (730 hours a month).

Prices cited: apache-libcloud 3.9.1 libcloud/data/pricing.json (EC2, Azure VMs), Cyclenerd
pricing.yml 2026-07-30 (GCE machines and disks), the Azure Retail Prices API page in
iac_gate/data/sources (francecentral VMs), and iac_gate/data/curated_prices.csv (EBS, RDS, EKS,
ELB, managed disks) whose rows name their public price page.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from iac_gate.gate import run_gate
from iac_gate.pricing import PRICERS
from tests.gate_plans import change, plan, priced

H = D(730)


def test_cost_model_covers_at_least_40_types() -> None:
    assert len(PRICERS) >= 40


def test_ec2_instance_with_gp3_root_and_io2_volume(catalog) -> None:
    out = priced(
        plan(
            change(
                "aws_instance",
                "web",
                {
                    "instance_type": "t3.micro",
                    "root_block_device": [{"volume_size": 20, "volume_type": "gp3"}],
                },
            ),
            change(
                "aws_ebs_volume",
                "data",
                {"type": "io2", "size": 100, "iops": 40000, "availability_zone": "us-east-1b"},
            ),
            change(
                "aws_ebs_volume",
                "fast",
                {"type": "gp3", "size": 500, "iops": 6000, "throughput": 250},
            ),
        ),
        catalog,
    )
    # t3.micro $0.0104/h; gp3 $0.08/GB-month
    assert out["aws_instance.web"].monthly_cost == D("0.0104") * H + 20 * D("0.08")
    # io2: 100 GB × $0.125 + IOPS tiers 32,000 × $0.065 + 8,000 × $0.0455
    assert out["aws_ebs_volume.data"].monthly_cost == 100 * D("0.125") + 32000 * D(
        "0.065"
    ) + 8000 * D("0.0455")
    # gp3 above the included 3,000 IOPS and 125 MB/s: $0.005/IOPS, $0.04/MBps
    assert out["aws_ebs_volume.fast"].monthly_cost == 500 * D("0.08") + 3000 * D("0.005") + 125 * D(
        "0.04"
    )


def test_multi_az_postgres_doubles_instance_and_storage(catalog) -> None:
    out = priced(
        plan(
            change(
                "aws_db_instance",
                "db",
                {
                    "engine": "postgres",
                    "instance_class": "db.m5.large",
                    "multi_az": True,
                    "allocated_storage": 100,
                    "storage_type": "gp2",
                },
            )
        ),
        catalog,
    )
    r = out["aws_db_instance.db"]
    # db.m5.large PostgreSQL $0.178/h single-AZ -> $0.356 Multi-AZ; gp2 $0.115 -> $0.23/GB-month
    assert r.monthly_cost == D("0.356") * H + 100 * D("0.23")
    assert r.priced  # backup storage is usage-priced: listed, not a reason
    assert any(c.usage_based and c.quantity is None for c in r.after.components)


def test_eks_cluster_and_node_group(catalog) -> None:
    out = priced(
        plan(
            change("aws_eks_cluster", "k", {"name": "k"}),
            change(
                "aws_eks_node_group",
                "ng",
                {
                    "instance_types": ["m5.large"],
                    "scaling_config": [{"desired_size": 3}],
                    "disk_size": 50,
                },
            ),
            regions={"aws": "eu-west-1"},
        ),
        catalog,
    )
    assert out["aws_eks_cluster.k"].monthly_cost == D("0.10") * H
    # m5.large eu-west-1 $0.114/h (libcloud); node disks gp2 $0.11/GB-month eu-west-1
    assert out["aws_eks_node_group.ng"].monthly_cost == 3 * D("0.114") * H + 150 * D("0.11")


def test_update_prices_both_sides(catalog) -> None:
    out = priced(
        plan(
            change(
                "aws_instance",
                "a",
                {"instance_type": "m5.large"},
                before={"instance_type": "t3.micro"},
            )
        ),
        catalog,
    )
    r = out["aws_instance.a"]
    assert r.change.action == "update"
    # t3.micro and, the AMI's root volume size unknown, the 8 GB gp2 default at $0.10/GB-month
    assert r.monthly_cost_before == D("0.0104") * H + 8 * D("0.10")
    assert "8 GB AMI default" in r.before.components[1].name
    assert r.after.components[0].unit_price == D("0.096")  # m5.large us-east-1


def test_gcp_instance_and_regional_node_pool(catalog) -> None:
    out = priced(
        plan(
            change(
                "google_compute_instance",
                "vm",
                {
                    "machine_type": "e2-standard-2",
                    "zone": "us-central1-b",
                    "boot_disk": [{"initialize_params": [{"size": 100, "type": "pd-ssd"}]}],
                },
            ),
            change(
                "google_container_node_pool",
                "pool",
                {
                    "location": "us-central1",
                    "node_count": 2,
                    "node_config": [
                        {
                            "machine_type": "e2-standard-2",
                            "disk_size_gb": 50,
                            "disk_type": "pd-balanced",
                        }
                    ],
                },
            ),
        ),
        catalog,
    )
    # e2-standard-2 us-central1 $0.06701142/h; pd-ssd $0.17, pd-balanced $0.10 per GB-month
    assert out["google_compute_instance.vm"].monthly_cost == D("0.06701142") * H + 100 * D("0.17")
    # a regional pool runs node_count in each of 3 zones
    assert out["google_container_node_pool.pool"].monthly_cost == 6 * D("0.06701142") * H + 300 * D(
        "0.10"
    )


def test_azure_vm_and_managed_disk_tier(catalog) -> None:
    out = priced(
        plan(
            change(
                "azurerm_linux_virtual_machine",
                "vm",
                {
                    "size": "Standard_D2s_v3",
                    "location": "East US",
                    "os_disk": [{"storage_account_type": "Premium_LRS", "disk_size_gb": 100}],
                },
            ),
            change(
                "azurerm_managed_disk",
                "d",
                {
                    "storage_account_type": "StandardSSD_LRS",
                    "disk_size_gb": 200,
                    "location": "eastus",
                },
            ),
            regions={},
        ),
        catalog,
    )
    # D2s v3 $0.096/h (libcloud); 100 GB Premium bills as P10 $19.71; 200 GB Standard SSD as E15 $19.20
    assert out["azurerm_linux_virtual_machine.vm"].monthly_cost == D("0.096") * H + D("19.71")
    assert out["azurerm_managed_disk.d"].monthly_cost == D("19.20")


def test_fixture_azure_vm_from_retail_api(catalog) -> None:
    res = run_gate(Path("tests/iac_fixtures/azurerm/plan.json"), catalog=catalog)
    vm = next(r for r in res.resources if r.change.type == "azurerm_virtual_machine")
    assert vm.region == "francecentral"
    assert vm.after.components[0].unit_price == D("0.0877")  # DS1 v2 Linux, Retail Prices API
    assert (
        not vm.priced and "S4" in vm.unpriced_reason
    )  # francecentral disks are not in the catalog


def test_unsupported_and_missing_prices_are_never_silent_zero(catalog) -> None:
    out = priced(
        plan(
            change("aws_cloudfront_distribution", "cdn", {}),
            change("aws_instance", "x", {"instance_type": "t9.nonexistent"}),
            change("aws_security_group", "sg", {}),
            change("aws_ebs_volume", "from_snapshot", {"type": "gp3", "snapshot_id": "snap-1"}),
        ),
        catalog,
    )
    assert not out["aws_ebs_volume.from_snapshot"].priced  # no size: a reason, not $0
    assert "does not set its size" in out["aws_ebs_volume.from_snapshot"].unpriced_reason
    assert not out["aws_cloudfront_distribution.cdn"].priced
    assert "not in the cost model" in out["aws_cloudfront_distribution.cdn"].unpriced_reason
    assert "t9.nonexistent" in out["aws_instance.x"].unpriced_reason
    assert out["aws_security_group.sg"].free and out["aws_security_group.sg"].priced


def test_usage_file_fills_usage_priced_components(catalog, tmp_path) -> None:
    (tmp_path / "usage.yml").write_text(
        "version: 1\nresources:\n  aws_nat_gateway.*:\n    monthly_data_processed_gb: 1000\n"
    )
    doc = plan(change("aws_nat_gateway", "n", {"connectivity_type": "public"}))
    p = tmp_path / "plan.json"
    import json

    p.write_text(json.dumps(doc))
    without = run_gate(p, catalog=catalog).resources[0]
    with_usage = run_gate(p, usage_path=tmp_path / "usage.yml", catalog=catalog).resources[0]
    assert without.monthly_cost == D("0.045") * H
    assert with_usage.monthly_cost == D("0.045") * H + 1000 * D("0.045")


def test_asg_resolves_launch_template_and_weights(catalog) -> None:
    res = run_gate(Path("tests/iac_fixtures/aws/asg-plan.json"), catalog=catalog)
    by = {r.change.address: r for r in res.resources}
    mixed = by["module.magento.aws_autoscaling_group.mixed"]
    # desired 3 capacity units / weighted_capacity 3 = 1 on-demand c4.large (eu-west-1 $0.113/h),
    # with the AMI's root volume at the 8 GB gp2 default (eu-west-1 $0.11/GB-month)
    assert mixed.monthly_cost == D("0.113") * H + 8 * D("0.11")
    assert "dedicated" in by["module.magento.aws_autoscaling_group.lc"].unpriced_reason
