{#- One row per landing file and ingest run, read from the run reports ingest writes
    (<lake>/_state/runs/*.json): what happened to every file (loaded, quarantined with the reason,
    skipped, superseded), its rows, billing periods and billed total as exported. The cockpit's
    data-health page reads it next to fct_reconciliation. -#}
with

files as (
    select * from {{ lake_run_reports() }} as reports
),

final as (
    select
        run_id || ':' || rel as ingest_file_id,
        run_id,
        {{ try_cast_as("coalesce(nullif(finished_at, ''), started_at)", 'timestamptz') }} as ingested_at,
        coalesce(source, provider, 'unknown') as source,
        provider,
        rel as relative_path,
        status,
        nullif(reason, '') as reason,
        array_to_string(notes, '; ') as notes,
        variant as schema_variant,
        dataset,
        dataset_type,
        coalesce(rows, 0) as row_count,
        array_to_string(periods, ',') as billing_periods,
        cast(coalesce(nullif(billed_total, ''), '0') as decimal(38, 10)) as billed_total,
        quarantine_path
    from files
)

select * from final
