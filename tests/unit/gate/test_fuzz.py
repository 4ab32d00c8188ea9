"""Fuzzing the gate's inputs: 1,000 mutated plans and 100 malformed .tf folders give exit
0/1/2 only — never a traceback, never the generic "could not evaluate" fallback (which would
mean an unhandled case). Seeded, so a failure reproduces; one shared catalog keeps it fast."""

from __future__ import annotations

import json
import random
from pathlib import Path

from iac_gate.cli import main

FIX = Path("tests/iac_fixtures")
JUNK = [None, 0, -1, -30000, 1.5, 1e308, float("inf"), 100_000_000, "", "x", "-5", [], {},
        True, [None], {"a": None}]  # fmt: skip


def run(argv, capsys, catalog):
    code = main([str(a) for a in argv], catalog=catalog)
    out = capsys.readouterr()
    return code, out.out, out.err


def _mutate(rng: random.Random, node, depth: int = 0) -> None:
    if isinstance(node, dict) and node:
        k = rng.choice(list(node))
        r = rng.random()
        if r < 0.3:
            node.pop(k)
        elif r < 0.6 or depth > 12:
            node[k] = rng.choice(JUNK)
        else:
            _mutate(rng, node[k], depth + 1)
    elif isinstance(node, list) and node:
        i = rng.randrange(len(node))
        if rng.random() < 0.5:
            node[i] = rng.choice(JUNK)
        else:
            _mutate(rng, node[i], depth + 1)


def test_1000_mutated_plans_never_crash(tmp_path, capsys, catalog) -> None:
    rng = random.Random(1234)
    docs = [json.loads(p.read_text()) for p in FIX.glob("*/*.json") if "noprovider" not in p.name]
    for n in range(1000):
        doc = json.loads(json.dumps(rng.choice(docs)))
        for _ in range(rng.randint(1, 4)):
            _mutate(rng, doc)
        p = tmp_path / f"{n % 10}.json"
        p.write_text(json.dumps(doc))
        code, _, err = run([p, "--format", "json"], capsys, catalog)
        assert code in (0, 2), (n, err)
        assert "could not evaluate" not in err and "Traceback" not in err, (n, err)


SEED_TF = [
    """
provider "aws" { region = "us-east-1" }
variable "n" { default = 2 }
locals {
  sizes = ["t3.micro", "m5.large"]
  pairs = { for p in setproduct(local.sizes, [1, 2]) : "${p[0]}-${p[1]}" => p }
}
resource "aws_instance" "web" {
  count         = var.n
  instance_type = element(local.sizes, count.index)
  root_block_device { volume_size = 10 * 2 }
}
resource "aws_ebs_volume" "v" {
  for_each          = local.pairs
  availability_zone = "us-east-1a"
  size              = each.value[1] * 10
}
""",
    """
resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = "westeurope"
}
resource "azurerm_service_plan" "p" {
  for_each            = toset(["B1", "S1"])
  name                = "p-${each.key}"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  os_type             = "Linux"
  sku_name            = each.value
  worker_count        = length(each.key)
}
""",
    """
provider "google" { region = "us-central1" }
resource "google_compute_instance" "vm" {
  name         = "vm"
  machine_type = "n1-standard-2"
  zone         = "us-central1-a"
  boot_disk {
    initialize_params { size = 50 }
  }
  dynamic "scratch_disk" {
    for_each = range(2)
    content { interface = "NVME" }
  }
}
""",
]
TOKENS = ["{", "}", "[", "]", "(", ")", '"', "${", "%{", "for", "in", ":", "=>", "...", "?",
          "-5", "1.5", "1e400", "100000000", "-30000", "null", "var.nope", "local.x",
          "data.aws_ami.a.id", "count.index", "each.key", "\\", "\n", "#", "<<EOT\n", "*"]  # fmt: skip


def _mutate_tf(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        i = rng.randrange(len(chars) + 1)
        if op < 0.35 and chars:
            del chars[i % len(chars) : i % len(chars) + rng.randint(1, 8)]
        elif op < 0.8:
            chars[i:i] = list(rng.choice(TOKENS))
        else:  # swap a number for an extreme one
            digits = [j for j, c in enumerate(chars) if c.isdigit()]
            if digits:
                j = rng.choice(digits)
                chars[j : j + 1] = list(rng.choice(["-5", "1.5", "1e400", "100000000", "-30000"]))
    return "".join(chars)


def test_100_malformed_tf_folders_never_crash(tmp_path, capsys, catalog) -> None:
    rng = random.Random(4321)
    outside = tmp_path / "secret.txt"
    outside.write_text("SECRET_TOKEN=hunter2hunter2\n")
    for n in range(100):
        folder = tmp_path / f"tf{n}"
        folder.mkdir()
        if n % 25 == 24:  # a symlink out of the folder
            (folder / "main.tf").symlink_to(outside)
        elif n % 25 == 23:  # binary garbage
            (folder / "main.tf").write_bytes(bytes(rng.randrange(256) for _ in range(200)))
        else:
            (folder / "main.tf").write_text(_mutate_tf(rng, rng.choice(SEED_TF)))
        code, _, err = run([folder, "--format", "json"], capsys, catalog)
        assert code in (0, 1, 2), (n, err)
        assert "could not evaluate" not in err and "Traceback" not in err, (n, err)
        assert "hunter2" not in err, (n, err)
