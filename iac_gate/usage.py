"""Usage estimates for usage-priced components, from a simple YAML file.

    version: 1
    resources:
      aws_lambda_function.api:          # an address; without an index it covers every instance
        monthly_requests_millions: 50
        monthly_gb_seconds: 400000
      aws_nat_gateway.*:                # globs work too
        monthly_data_processed_gb: 2000
      aws_instance.web:
        os: windows                     # EC2 prices depend on the AMI's OS
        root_volume_size_gb: 30

Keys are the `usage_key`s the cost model lists per component (see docs/iac_gate.md).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from iac_gate.errors import GateInputError

MAX_USAGE = 10**12


def load_usage(path: str | Path | None) -> dict[str, dict[str, Any]]:
    if path is None:
        return {}
    import yaml  # type: ignore[import-untyped]

    p = Path(path)
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise GateInputError(str(p), f"cannot read usage file: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise GateInputError(str(p), f"not valid YAML: {e}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict) or not isinstance(doc.get("resources", {}), dict):
        raise GateInputError(
            str(p), "expected a mapping with `resources:` (address -> usage values)"
        )
    out: dict[str, dict[str, Any]] = {}
    for addr, values in (doc.get("resources") or {}).items():
        if not isinstance(values, dict):
            raise GateInputError(str(p), f"resources.{addr}: expected a mapping of usage values")
        for k, v in values.items():
            if k == "os":
                if v not in ("linux", "windows", "rhel", "suse"):
                    raise GateInputError(
                        str(p), f"resources.{addr}.os: one of linux, windows, rhel, suse"
                    )
            elif k == "attached":
                if not isinstance(v, bool):
                    raise GateInputError(str(p), f"resources.{addr}.attached: true or false")
            elif k == "endpoint_type":
                if v not in ("aws", "non_aws"):
                    raise GateInputError(str(p), f"resources.{addr}.endpoint_type: aws or non_aws")
            elif (
                isinstance(v, bool)
                or not isinstance(v, int | float)
                or not math.isfinite(v)
                or not 0 <= v <= MAX_USAGE
            ):
                raise GateInputError(
                    str(p),
                    f"resources.{addr}.{k}: expected a non-negative number up to 1e12, "
                    f"got {str(v)[:30]!r}",
                )
        out[str(addr)] = dict(values)
    return out
