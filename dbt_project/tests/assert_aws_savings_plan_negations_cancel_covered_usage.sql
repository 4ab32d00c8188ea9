-- FOCUS bills Savings Plan covered usage at 0 and drops SavingsPlanNegation lines; that is only
-- lossless if, per billing period, the negations exactly cancel the covered usage's cost.
select billing_period, sum(unblended_cost) as net
from {{ ref('stg_aws__line_items') }}
where line_item_type in ('SavingsPlanCoveredUsage', 'SavingsPlanNegation')
group by billing_period
having round(sum(unblended_cost), 2) <> 0
