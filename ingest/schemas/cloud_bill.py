"""Raw tables of the cloud bill: CUR line items and FOCUS rows."""

from __future__ import annotations

import polars as pl

from ingest.schemas.types import MONEY, TS

# AWS CUR 2.0 (Data Exports) columns, Parquet/Athena names. CUR 1 columns are renamed to these
# (`lineItem/UnblendedCost` -> `line_item_unblended_cost`); CUR 1 `resourceTags/user:team` columns fold into the
# `resource_tags` JSON object with CUR 2.0 key style (`{"user_team": "..."}`).
CUR_LINE_ITEMS: dict[str, pl.DataType] = {
    # lineage: which delivery this row came from; (source_id, billing_account_id, billing_period) is the
    # unit replaced atomically
    "source_id": pl.String,
    "bill_format": pl.String,  # cur2 | cur1
    "billing_account_id": pl.String,  # bill_payer_account_id
    "billing_period": pl.String,  # YYYY-MM
    "delivery_id": pl.String,  # manifest executionId / assemblyId, or a content hash for bare files
    "source_file": pl.String,
    "bill_billing_period_start_date": TS,
    "bill_billing_period_end_date": TS,
    "bill_invoice_id": pl.String,
    "bill_bill_type": pl.String,
    "identity_line_item_id": pl.String,
    "line_item_usage_account_id": pl.String,
    "line_item_line_item_type": pl.String,
    "line_item_usage_start_date": TS,
    "line_item_usage_end_date": TS,
    "line_item_product_code": pl.String,
    "line_item_usage_type": pl.String,
    "line_item_operation": pl.String,
    "line_item_resource_id": pl.String,
    "line_item_availability_zone": pl.String,
    "line_item_line_item_description": pl.String,
    "line_item_usage_amount": pl.Float64,
    "line_item_currency_code": pl.String,
    "line_item_unblended_cost": MONEY,
    "line_item_net_unblended_cost": MONEY,
    "pricing_public_on_demand_cost": MONEY,
    "pricing_unit": pl.String,
    "product_region_code": pl.String,
    "product_servicecode": pl.String,
    "product_product_family": pl.String,
    "product_instance_type": pl.String,
    "reservation_reservation_a_r_n": pl.String,
    "reservation_effective_cost": MONEY,
    "reservation_unused_amortized_upfront_fee_for_billing_period": MONEY,
    "reservation_unused_recurring_fee": MONEY,
    "reservation_amortized_upfront_fee_for_billing_period": MONEY,
    "savings_plan_savings_plan_a_r_n": pl.String,
    "savings_plan_savings_plan_effective_cost": MONEY,
    "savings_plan_total_commitment_to_date": MONEY,
    "savings_plan_used_commitment": MONEY,
    "savings_plan_amortized_upfront_commitment_for_billing_period": MONEY,
    "split_line_item_parent_resource_id": pl.String,
    "split_line_item_split_cost": MONEY,
    "split_line_item_unused_cost": MONEY,
    "resource_tags": pl.String,  # JSON object, CUR 2.0 key style: {"user_tenant": "acme"}
    # JSON object of the file's columns that are not in AWS's CUR 2.0 data dictionary (kept, never dropped)
    "extra_columns": pl.String,
}

# FOCUS 1.0–1.2 rows from any provider (AWS, Azure, GCP, OCI), FOCUS column names in snake_case
# (BilledCost -> billed_cost). Every column of the file that is not one of these (x_* custom columns, a provider's
# row id, FOCUS columns this table does not keep) is kept in `extra_columns`, a JSON object keyed by the file's own
# column names.
FOCUS_LINE_ITEMS: dict[str, pl.DataType] = {
    # lineage: (source_id, billing_account_id, billing_period) is the unit replaced atomically
    "source_id": pl.String,
    "bill_format": pl.String,  # focus
    "billing_account_id": pl.String,  # BillingAccountId
    "billing_period": pl.String,  # YYYY-MM of BillingPeriodStart
    "delivery_id": pl.String,  # manifest executionId, or a fingerprint of the files that form the period
    "source_file": pl.String,
    "source_row": pl.Int64,  # 1-based data row in source_file
    "billing_account_name": pl.String,
    "billing_period_start": TS,
    "billing_period_end": TS,
    "billing_currency": pl.String,
    "provider_name": pl.String,
    "publisher_name": pl.String,
    "invoice_issuer_name": pl.String,
    "invoice_id": pl.String,
    "sub_account_id": pl.String,
    "sub_account_name": pl.String,
    "charge_category": pl.String,  # Usage | Purchase | Tax | Credit | Adjustment (case normalized)
    "charge_class": pl.String,  # Correction, else null
    "charge_frequency": pl.String,  # One-Time | Recurring | Usage-Based (case normalized)
    "charge_description": pl.String,
    "charge_period_start": TS,
    "charge_period_end": TS,
    "billed_cost": MONEY,
    "effective_cost": MONEY,
    "list_cost": MONEY,
    "contracted_cost": MONEY,
    "consumed_quantity": pl.Float64,
    "consumed_unit": pl.String,
    "pricing_quantity": pl.Float64,
    "pricing_unit": pl.String,
    "pricing_category": pl.String,
    "service_name": pl.String,
    "service_category": pl.String,
    "service_subcategory": pl.String,
    "resource_id": pl.String,
    "resource_name": pl.String,
    "resource_type": pl.String,
    "region_id": pl.String,
    "region_name": pl.String,
    "availability_zone": pl.String,
    "sku_id": pl.String,
    "sku_price_id": pl.String,
    "sku_meter": pl.String,
    "commitment_discount_id": pl.String,
    "commitment_discount_type": pl.String,
    "commitment_discount_category": pl.String,
    "commitment_discount_status": pl.String,
    "commitment_discount_name": pl.String,
    "tags": pl.String,  # JSON object as the provider wrote it (keys unchanged); "{}" when empty
    "extra_columns": pl.String,  # JSON object of every other column of the file, by its own name
}
