{{ config(severity='warn') }}
-- FOCUS bills Savings Plan covered usage at 0 and drops SavingsPlanNegation lines; that is only
-- lossless if, per billing period, the negations exactly cancel the covered usage's cost. A
-- partial ("not final") export may lack negations: int_aws_charges_mapped then adds the gap as an
-- Adjustment charge, so this is a warning that names the period, never a failure that would
-- skip every mart of every provider.
select billing_period, payer_account_id, sum(unblended_cost) as net
from {{ ref('stg_aws__line_items') }}
where line_item_type in ('SavingsPlanCoveredUsage', 'SavingsPlanNegation')
group by billing_period, payer_account_id
having round(sum(unblended_cost), 2) <> 0
