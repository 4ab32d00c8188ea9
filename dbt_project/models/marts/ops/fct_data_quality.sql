{#- Data-quality findings, one row per finding, so a bad file or period is named instead of
    stopping the build: quarantined files (latest run per file, with the reason), periods whose
    money does not reconcile, and partial ("not final") periods. -#}
with

latest_files as (
    {{ first_row_per(ref('fct_ingest_files'), 'relative_path', 'ingested_at desc, run_id desc') }}
),

quarantined as (
    select
        'file:' || relative_path as finding_id,
        source,
        provider,
        nullif(billing_periods, '') as billing_period,
        'file_quarantined' as rule,
        'error' as severity,
        relative_path,
        reason as detail
    from latest_files
    where status = 'quarantined'
),

reconciliation as (
    select
        'reconciliation:' || reconciliation_id as finding_id,
        provider as source,
        provider,
        billing_period,
        case when is_reconciled then 'partial_export' else 'not_reconciled' end as rule,
        case when is_reconciled then 'info' else 'error' end as severity,
        cast(null as varchar) as relative_path,
        case when is_reconciled
            then 'billed cost reconciles, but not every charge carries an invoice id yet (estimated export)'
            else 'raw ' || cast(raw_billed_cost as varchar) || ' vs FOCUS ' || cast(focus_billed_cost as varchar)
                 || ' vs daily ' || cast(daily_billed_cost as varchar) || ' ' || billing_currency
        end as detail
    from {{ ref('fct_reconciliation') }}
    where not is_reconciled or not is_final
),

final as (
    select * from quarantined
    union all
    select * from reconciliation
)

select * from final
