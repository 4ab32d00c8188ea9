"""Terraform plan documents for gate tests and the gate benchmark."""

from __future__ import annotations

import random
from typing import Any

PROVIDERS = {"aws": "us-east-1", "google": "us-central1"}


def change(
    rtype: str,
    name: str,
    after: dict[str, Any] | None,
    *,
    before: dict[str, Any] | None = None,
    actions: list[str] | None = None,
    provider: str | None = None,
    index: Any = None,
) -> dict[str, Any]:
    address = f"{rtype}.{name}" + ("" if index is None else f"[{index!r}]".replace("'", '"'))
    prov = provider or rtype.split("_", 1)[0]
    return {
        "address": address, "mode": "managed", "type": rtype, "name": name,
        "provider_name": f"registry.terraform.io/hashicorp/{prov}",
        "change": {"actions": actions or (["create"] if before is None else ["update"]),
                   "before": before, "after": after, "after_unknown": {}},
    }  # fmt: skip


def plan(*changes: dict[str, Any], regions: dict[str, str] | None = None) -> dict[str, Any]:
    regions = regions if regions is not None else PROVIDERS
    return {
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}}, "resource_changes": list(changes),
        "configuration": {"provider_config": {
            p: {"name": p, "full_name": f"registry.terraform.io/hashicorp/{p}",
                "expressions": {"region": {"constant_value": r}}} for p, r in regions.items()}},
    }  # fmt: skip


def synthetic_plan(n: int, seed: int = 7) -> dict[str, Any]:
    """A realistic mixed plan of `n` resources across AWS, GCP and Azure."""
    rng = random.Random(seed)
    makers = [
        lambda i: change("aws_instance", f"web{i}", {"instance_type": rng.choice(["t3.micro", "m5.large", "c5.xlarge"]),
                                                      "root_block_device": [{"volume_size": 30, "volume_type": "gp3"}],
                                                      "tags": {"team": "web", "env": "prod"}}),
        lambda i: change("aws_ebs_volume", f"vol{i}", {"type": "io2", "size": 200, "iops": 5000, "availability_zone": "us-east-1a", "tags": {}}),
        lambda i: change("aws_db_instance", f"db{i}", {"engine": "postgres", "instance_class": "db.m5.large", "multi_az": True,
                                                        "allocated_storage": 100, "storage_type": "gp3", "tags": None}),
        lambda i: change("aws_nat_gateway", f"nat{i}", {"connectivity_type": "public", "tags": {}}),
        lambda i: change("aws_security_group", f"sg{i}", {"name": f"sg{i}", "tags": {}}),
        lambda i: change("google_compute_instance", f"vm{i}", {"machine_type": "e2-standard-2", "zone": "us-central1-a",
                                                                 "boot_disk": [{"initialize_params": [{"size": 50, "type": "pd-balanced"}]}],
                                                                 "labels": {"team": "data"}}),
        lambda i: change("azurerm_linux_virtual_machine", f"az{i}", {"size": "Standard_D2s_v3", "location": "eastus",
                                                                       "os_disk": [{"storage_account_type": "Premium_LRS", "disk_size_gb": 128}],
                                                                       "tags": {"team": "ops"}}),
    ]  # fmt: skip
    return plan(
        *(rng.choice(makers)(i) for i in range(n)),
        regions={"aws": "us-east-1", "google": "us-central1"},
    )


def priced(doc: dict[str, Any], catalog: Any, usage: Any = None) -> dict[str, Any]:
    """address -> priced resource of a plan document priced with ``catalog``."""
    from iac_gate.plan import parse_plan_document
    from iac_gate.pricing import price_changes

    return {
        r.change.address: r for r in price_changes(parse_plan_document(doc, "t"), catalog, usage)
    }


def gate_resources(folder: Any, tf: str) -> dict[str, Any]:
    """Run the gate on one `main.tf` written into ``folder``; its resources by address."""
    from iac_gate.gate import run_gate

    (folder / "main.tf").write_text(tf)
    return {r.change.address: r for r in run_gate(folder).resources}
