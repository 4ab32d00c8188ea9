"""`sibyl gate`: price a Terraform change offline and apply cost policies.

    sibyl gate PATH [--env ENV] [--policies DIR] [--usage FILE]
                    [--format table|json|markdown|sarif] [--out FILE] [--default-region R]
                    [--var-file F]... [--var k=v]... [--team TEAM] [--catalog DIR]
                    [--rates list|warehouse] [--marts-dir DIR] [--max-resources N] [--root DIR]

PATH is a `terraform show -json` plan file or a folder of .tf files.
Exit codes: 0 pass (warnings allowed), 1 blocked by policy, 2 bad input or usage.
This path imports neither Dagster, dbt nor pandas.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_PASS, EXIT_BLOCK, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"sibyl gate: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="sibyl gate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("path", help="plan JSON (terraform show -json) or a folder of .tf files")
    p.add_argument("--env", help="environment the change deploys to (selects policies)")
    p.add_argument("--policies", help="policy YAML file or folder")
    p.add_argument("--usage", help="usage YAML for usage-priced components")
    p.add_argument("--format", choices=["table", "json", "markdown", "sarif"], default="table")
    p.add_argument("--out", help="write the output to this file instead of stdout")
    p.add_argument("--default-region", help="region for resources whose provider sets none")
    p.add_argument("--var-file", action="append", default=[], help=".tfvars file (.tf folders)")
    p.add_argument(
        "--var", action="append", default=[], metavar="NAME=VALUE", help="variable (.tf folders)"
    )
    p.add_argument("--team", help="team the change belongs to (team budget policy)")
    p.add_argument(
        "--catalog", help="price catalog folder (default: shipped, or $SIBYL_PRICE_CATALOG)"
    )
    p.add_argument(
        "--max-resources",
        type=int,
        default=None,
        help="refuse plans or folders expanding to more resources (default 100000)",
    )
    p.add_argument(
        "--rates",
        choices=["list", "warehouse"],
        default="list",
        help="list prices, or also your effective/list ratio from the cost mart (--marts-dir)",
    )
    p.add_argument(
        "--marts-dir",
        help="published marts folder or bucket URL for --rates warehouse (default: the settings'"
        " marts, $SIBYL_MARTS_DIR or $SIBYL_DATA_DIR/marts)",
    )
    p.add_argument(
        "--root",
        help=".tf folders: the folder reads (modules, file()) must stay in (default: PATH)",
    )
    return p


def main(argv: list[str] | None = None, *, catalog: Any = None) -> int:
    """Run the CLI; `catalog` (a loaded `PriceCatalog`) lets tests share one across runs."""
    args = build_parser().parse_args(argv)
    from iac_gate.errors import GateInputError

    variables: dict[str, str] = {}
    for kv in args.var:
        if "=" not in kv:
            print(f"sibyl gate: error: --var {kv!r}: expected NAME=VALUE", file=sys.stderr)
            return EXIT_INPUT
        k, v = kv.split("=", 1)
        variables[k] = v
    try:
        from iac_gate.catalog import PriceCatalog
        from iac_gate.gate import run_gate
        from iac_gate.render import RENDERERS

        if not Path(args.path).exists():
            raise GateInputError(args.path, "no such file or folder")
        rates = None
        if args.rates == "warehouse":
            from iac_gate.rates import load_rates
            from orchestration.settings import Settings

            marts = args.marts_dir or Settings.from_env().marts_dir  # a folder or bucket URL
            rates = load_rates(marts)
        result = run_gate(
            args.path,
            environment=args.env,
            policies_path=args.policies,
            usage_path=args.usage,
            default_region=args.default_region,
            var_files=args.var_file,
            variables=variables,
            team=args.team,
            catalog=PriceCatalog(args.catalog) if args.catalog else catalog,
            max_resources=args.max_resources,
            root=args.root,
            rates=rates,
        )
        text = RENDERERS[args.format](result)
    except GateInputError as e:
        print(f"sibyl gate: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except RecursionError:
        print(
            f"sibyl gate: error: {args.path}: nested too deeply to be a Terraform plan",
            file=sys.stderr,
        )
        return EXIT_INPUT
    except Exception as e:  # never a traceback in CI logs; say what happened and where
        print(
            f"sibyl gate: error: {args.path}: could not evaluate ({type(e).__name__}: {e})",
            file=sys.stderr,
        )
        return EXIT_INPUT
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_BLOCK if result.evaluation.decision == "block" else EXIT_PASS


if __name__ == "__main__":
    raise SystemExit(main())
