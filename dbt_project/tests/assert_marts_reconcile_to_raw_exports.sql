-- Money is reconciled to the cent: per provider, billing period and currency, billed cost in the
-- FOCUS charges and in the daily mart equals the billed cost in the raw exports (control totals).
select * from {{ ref('fct_reconciliation') }} where not is_reconciled
