"""AI token usage already in the cloud bills (Bedrock, Azure OpenAI, Vertex AI / Gemini), found in
fct_charges and parsed into model and token type by ingest.ai.cloud.classify (one implementation,
unit-tested in tests/unit/ai/test_ai_cloud.py). These lines stay counted in fct_charges as billed;
this model only labels them for the AI marts."""

import pyarrow as pa

from ingest.ai.cloud import classify, unit_multiplier

SCHEMA = pa.schema(
    [
        ("charge_id", pa.string()),
        ("usage_date", pa.date32()),
        ("provider", pa.string()),
        ("ai_provider", pa.string()),
        ("model", pa.string()),
        ("token_type", pa.string()),
        ("tokens", pa.float64()),
        ("consumed_unit", pa.string()),
        ("cost", pa.decimal128(38, 10)),
        ("list_cost", pa.decimal128(38, 10)),
        ("billing_currency", pa.string()),
        ("team_id", pa.string()),
        ("business_unit_id", pa.string()),
        ("business_group_id", pa.string()),
    ]
)


def model(dbt, session):  # type: ignore[no-untyped-def]
    dbt.config(materialized="table")
    charges = dbt.ref("fct_charges")
    candidates = charges.filter(
        "charge_category = 'Usage' and ("
        "service_name ilike '%bedrock%' or service_name ilike '%openai%'"
        " or service_name ilike '%cognitive%' or service_name ilike '%vertex%'"
        " or service_name ilike '%gemini%')"
    ).project(
        "charge_id, charge_date, provider, service_name, sku_meter, charge_description,"
        " consumed_quantity, consumed_unit, billed_cost, list_cost, billing_currency, team_id,"
        " business_unit_id, business_group_id"
    )
    rows = []
    for r in candidates.fetchall():
        (cid, day, prov, svc, meter, desc, qty, unit, cost, lcost, cur, team, bu, bg) = r
        got = classify(prov, svc, meter, desc)
        if got is None:
            continue
        scale = unit_multiplier(unit)  # "1000 Tokens" after FOCUS unit normalisation
        rows.append(
            {
                "charge_id": cid,
                "usage_date": day,
                "provider": prov,
                "ai_provider": got[0],
                "model": got[1],
                "token_type": got[2],
                "tokens": float(qty or 0) * scale,
                "consumed_unit": unit,
                "cost": cost,
                "list_cost": lcost,
                "billing_currency": cur,
                "team_id": team,
                "business_unit_id": bu,
                "business_group_id": bg,
            }
        )
    return pa.Table.from_pylist(rows, schema=SCHEMA)
