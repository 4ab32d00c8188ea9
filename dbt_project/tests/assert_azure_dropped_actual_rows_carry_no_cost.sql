-- Actual-cost rows of commitment-covered usage are replaced by their amortized rows; they must
-- carry no cost, or dropping them would lose money.
with d as (
    select * from {{ ref('stg_azure__cost_details') }}
),
amortized as (select distinct billing_account_id, billing_period from d where dataset_type = 'amortized')
select d.source_file, d.source_row, d.cost
from d
inner join amortized as a using (billing_account_id, billing_period)
where d.dataset_type = 'actual'
  and d.pricing_model in ('Reservation', 'SavingsPlan') and d.charge_type = 'Usage'
  and d.cost <> 0
