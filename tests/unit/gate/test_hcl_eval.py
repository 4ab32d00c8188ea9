"""The HCL evaluator against Terraform's documented examples (developer.hashicorp.com/terraform/
language/functions/* and language/expressions/*): expected values are the documentation's."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from iac_gate.errors import GateInputError
from iac_gate.gate import run_gate
from iac_gate.hcl_eval import Budget, EvalError, Evaluator, LimitError, Scope, Unresolved
from iac_gate.hcl_funcs import FUNCTIONS
from iac_gate.hcl_parse import parse_value_text
from iac_gate.model import Unknown


def ev(expr: str, **names):
    def resolve(n):
        if n in names:
            return names[n]
        raise Unresolved(f"{n} unknown")

    return Evaluator(Budget(), FUNCTIONS).ev(parse_value_text("${" + expr + "}"), Scope(resolve))


@pytest.mark.parametrize(
    "expr,want",
    [
        # functions, with the examples of Terraform's function docs
        ('flatten([["a", "b"], [], ["c"]])', ["a", "b", "c"]),
        ('flatten([[["a", "b"], []], ["c"]])', ["a", "b", "c"]),
        ('setproduct(["development", "staging"], ["app1", "app2"])',
         [["development", "app1"], ["development", "app2"], ["staging", "app1"], ["staging", "app2"]]),
        ('merge({a="b", c="d"}, {e="f", c="z"})', {"a": "b", "c": "z", "e": "f"}),
        ('lookup({a="ay", b="bee"}, "c", "what?")', "what?"),
        ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
        ('keys({a=1, c=2, d=3})', ["a", "c", "d"]),
        ('values({a=3, c=2, d=1})', [3, 2, 1]),
        ('concat(["a", ""], ["b", "c"])', ["a", "", "b", "c"]),
        ('coalesce("", "b")', "b"),
        ('coalesce(1, 2)', 1),
        ('length({"a" = "b"})', 1),
        ('length("hello")', 5),
        ('element(["a", "b", "c"], 3)', "a"),
        ('format("Hello, %s!", "Ander")', "Hello, Ander!"),
        ('format("There are %d lights", 4)', "There are 4 lights"),
        ('join(", ", ["foo", "bar", "baz"])', "foo, bar, baz"),
        ('split(",", "foo,bar,baz")', ["foo", "bar", "baz"]),
        ('tomap({"a" = 1, "b" = 2})', {"a": 1, "b": 2}),
        ('toset(["a", "b", "a"])', ["a", "b"]),
        ('cidrsubnet("172.16.0.0/12", 4, 2)', "172.18.0.0/16"),
        ('cidrsubnet("10.1.2.0/24", 4, 15)', "10.1.2.240/28"),
        ('cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)', ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]),
        ('cidrhost("10.12.112.0/20", 16)', "10.12.112.16"),
        ("max(12, 54, 3)", 54),
        ("min(12, 54, 3)", 3),
        ("max([12, 54, 3]...)", 54),
        ('try({a = 1}.b, "fallback")', "fallback"),
        ('can(regex("^[a-z]+$", "abc"))', True),
        ('range(3)', [0, 1, 2]),
        ('range(1, 4)', [1, 2, 3]),
        ('distinct(["a", "b", "a", "c", "d", "b"])', ["a", "b", "c", "d"]),
        ('replace("1 + 2 + 3", "+", "-")', "1 - 2 - 3"),
        ('upper("hello")', "HELLO"),
        ('one([])', None),
        ('compact(["a", "", "b", null])', ["a", "b"]),
        ('slice(["a", "b", "c", "d"], 1, 3)', ["b", "c"]),
        ('setunion(["a", "b"], ["b", "c"])', ["a", "b", "c"]),
        ('jsonencode({"hello"="world"})', '{"hello":"world"}'),
        ('substr("hello world", 1, 4)', "ello"),
        ('trimprefix("helloworld", "hello")', "world"),
        ('ceil(5.1)', 6),
        ('floor(4.9)', 4),
        ('abs(-12.4)', D("12.4")),
        ('sum([10, 13, 6, 4.5])', D("33.5")),
        ('transpose({"a" = ["1", "2"], "b" = ["2", "3"]})', {"1": ["a"], "2": ["a", "b"], "3": ["b"]}),
        # expressions
        ('[for s in ["a", "b"] : upper(s)]', ["A", "B"]),
        ('[for i, v in ["a", "b"] : "${i}${v}"]', ["0a", "1b"]),
        ('{for k, v in {a = 1, b = 2} : v => k}', {"1": "a", "2": "b"}),
        ('[for s in ["a", "", "b"] : s if s != ""]', ["a", "b"]),
        ('{for s in ["ab", "ac", "bd"] : substr(s, 0, 1) => s...}', {"a": ["ab", "ac"], "b": ["bd"]}),
        ('[{a = 1}, {a = 2}][*].a', [1, 2]),
        ('1 + 2 * 3 - 4 / 2', 5),
        ('7 % 3 == 1 && !false', True),
        ('true ? "x" : "y"', "x"),
        ('"a-${1 + 1}-%{if true}yes%{else}no%{endif}"', "a-2-yes"),
        ('"%{for x in ["a", "b"]}${x};%{endfor}"', "a;b;"),
        ('{"k" = [1, 2]}.k[1]', 2),
    ],
)  # fmt: skip
def test_documented_examples(expr, want) -> None:
    assert ev(expr) == want


def test_unknowns_propagate_and_errors_are_named() -> None:
    with pytest.raises(Unresolved):
        ev("upper(x)", x=Unknown("known after apply"))
    with pytest.raises(EvalError):
        ev('lookup({a = 1}, "b")')
    with pytest.raises(LimitError):
        ev("range(100000000)")
    with pytest.raises(LimitError, match="overflow"):
        ev("1e400")
    with pytest.raises(LimitError):
        ev("setproduct(range(2000), range(2000))")


MODULE = """
variable "size" {}
variable "n" { default = 1 }
resource "aws_instance" "vm" {
  count         = var.n
  instance_type = var.size
  dynamic "ebs_block_device" {
    for_each = { data = 50, logs = 20 }
    content {
      device_name = "/dev/${ebs_block_device.key}"
      volume_size = ebs_block_device.value
      volume_type = "gp3"
    }
  }
}
output "type" { value = aws_instance.vm[0].instance_type }
"""

ROOT = """
provider "aws" {}
locals {
  envs  = ["dev", "prod"]
  sizes = { dev = "t3.micro", prod = "m5.large" }
  pairs = { for p in setproduct(local.envs, ["a", "b"]) : "${p[0]}-${p[1]}" => p[0] }
}
module "app" {
  source   = "./modules/app"
  for_each = local.sizes
  size     = each.value
  n        = each.key == "prod" ? 2 : 1
}
resource "aws_ebs_volume" "v" {
  for_each          = local.pairs
  availability_zone = "eu-west-1a"
  size              = length(each.key) * 10
  tags              = { copy_of = module.app["dev"].type }
}
"""


def test_local_modules_for_each_dynamic_blocks_and_default_region(tmp_path) -> None:
    (tmp_path / "modules" / "app").mkdir(parents=True)
    (tmp_path / "modules" / "app" / "main.tf").write_text(MODULE)
    (tmp_path / "main.tf").write_text(ROOT)
    result = run_gate(tmp_path)
    res = {r.change.address: r for r in result.resources}
    assert set(res) == {
        'module.app["dev"].aws_instance.vm[0]',
        'module.app["prod"].aws_instance.vm[0]',
        'module.app["prod"].aws_instance.vm[1]',
        'aws_ebs_volume.v["dev-a"]', 'aws_ebs_volume.v["dev-b"]',
        'aws_ebs_volume.v["prod-a"]', 'aws_ebs_volume.v["prod-b"]',
    }  # fmt: skip
    vm = res['module.app["prod"].aws_instance.vm[1]']
    assert vm.change.after["instance_type"] == "m5.large" and vm.region == "us-east-1"
    disks = vm.change.after["ebs_block_device"]
    assert [(d["device_name"], d["volume_size"]) for d in disks] == [
        ("/dev/data", 50),
        ("/dev/logs", 20),
    ]
    vol = res['aws_ebs_volume.v["prod-a"]']
    assert vol.region == "eu-west-1" and vol.change.after["size"] == 60
    assert vol.change.after["tags"] == {"copy_of": "t3.micro"}  # a module output
    assert any("region assumed us-east-1" in n for n in result.notices)


@pytest.mark.parametrize(
    "count,needle",
    [("-5", "negative"), ("1.5", "whole number"), ('"x"', "whole number"), ("100000000", "limit")],
)
def test_bad_counts_are_named_input_errors(tmp_path, count, needle) -> None:
    (tmp_path / "main.tf").write_text(
        f'resource "aws_instance" "x" {{\n  count = {count}\n  instance_type = "t3.micro"\n}}\n'
    )
    with pytest.raises(GateInputError) as e:
        run_gate(tmp_path)
    assert needle in str(e.value) and "aws_instance.x" in str(e.value)


def test_expansion_limit_is_configurable(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_instance" "x" {\n  count = 50\n  instance_type = "t3.micro"\n}\n'
    )
    assert len(run_gate(tmp_path, max_resources=50).resources) == 50
    with pytest.raises(GateInputError, match="more than 49"):
        run_gate(tmp_path, max_resources=49)


def test_symlink_out_of_the_folder_is_refused_without_echoing_it(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("AWS_SECRET_ACCESS_KEY=abcdefghijklmnop\n")
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "main.tf").symlink_to(secret)
    with pytest.raises(GateInputError) as e:
        run_gate(folder)
    assert "outside the folder" in str(e.value) and "abcdefgh" not in str(e.value)


def test_syntax_errors_quote_only_a_short_excerpt(tmp_path) -> None:
    (tmp_path / "main.tf").write_text("x = {{{ " + "A" * 5000 + "\n")
    with pytest.raises(GateInputError) as e:
        run_gate(tmp_path)
    assert len(str(e.value)) < 400


def test_numeric_overflow_is_named(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_ebs_volume" "v" {\n  availability_zone = "us-east-1a"\n  size = 1e400\n}\n'
    )
    with pytest.raises(GateInputError, match=r"aws_ebs_volume\.v: `size`: .*numeric overflow"):
        run_gate(tmp_path)


def test_exponential_locals_hit_the_evaluation_bound(tmp_path) -> None:
    from iac_gate.hcl import load_tf_dir

    lines = ["locals {", "  a0 = [1, 2]"]
    lines += [f"  a{i} = [local.a{i - 1}, local.a{i - 1}]" for i in range(1, 60)]
    lines += ["}", 'resource "aws_instance" "x" {', "  instance_type = jsonencode(local.a59)", "}"]
    (tmp_path / "main.tf").write_text("\n".join(lines))
    with pytest.raises(GateInputError, match="bound"):
        load_tf_dir(tmp_path, var_files=[], variables={}, seconds=0.5)
