-- Is our sales team engaging with them?
--
-- One row per person of the account (everyone gold.user_360 links to it), with the Salesforce tasks
-- (calls, emails, meetings) logged on them, next to the account's own sales picture: its CRM owner, the
-- tasks on the account in the last 30 days, how long since the last one, and its open opportunities.
-- People the sales team never touched show zero tasks, so "the champion was never contacted" is visible.
--
-- Columns, per person:
--   person_id, name, title     the person (normalised email), full name, job title from the CRM
--   is_champion                among the account's most active product users who also invited others
--   crm_record                 'contact', 'lead' or null: how Salesforce knows the person
--   sales_tasks_total          Salesforce tasks on the person, all history
--   sales_tasks_30d            tasks with an ActivityDate in the 30 days up to the latest snapshot
--   last_sales_touch_date      ActivityDate of the latest task
--   last_sales_touch           that task in words: type, subject and status
--   last_sales_touch_owner_id  Salesforce user who owns that task (the rep)
-- Columns, per account (the same on every row):
--   crm_owner_id                 owner of the account's most recently modified CRM account
--   account_sales_tasks_30d      tasks on any of the account's people in the 30 days
--   days_since_last_sales_touch  days from the account's latest task to the latest snapshot date
--   open_opportunities           open opportunities (duplicates on the domain counted once)
--   open_pipeline_amount         their amount
--   open_opportunity_list        each open opportunity as 'name (stage, amount)'
--   last_opportunity_change      the latest opportunity stage change, 'date: detail'
-- Ordered by the person's latest sales touch, most recent first; untouched people last.
--
-- Parameters:
--   :account_id  the account: its registrable domain (acme.com) or personal:<workspace_id>
WITH account AS (
  SELECT account_id, as_of, crm_owner_id, sales_tasks_30d, last_sales_touch_date,
         open_opportunities, open_pipeline_amount
  FROM gold.account_360
  WHERE as_of = (SELECT max(as_of) FROM gold.account_360)
    AND account_id = :account_id
),

people AS (
  SELECT person_id, name, title, is_champion, lead_ids, contact_ids, sales_tasks_30d, last_sales_touch_date
  FROM gold.user_360
  WHERE as_of = (SELECT max(as_of) FROM gold.user_360)
    AND account_id = :account_id
),

task_owners AS (
  -- the latest version of each Salesforce task, for its owner
  SELECT id AS task_id, max_by(owner_id, last_modified_at) AS owner_id
  FROM bronze.sf_tasks
  GROUP BY id
),

tasks AS (
  -- every sales task on a person of the account
  SELECT t.person_id, t.event_date, t.detail, o.owner_id
  FROM gold.customer_timeline t
  LEFT JOIN task_owners o ON o.task_id = t.ref_id
  WHERE t.account_id = :account_id
    AND t.source = 'sales'
    AND t.type = 'task'
),

tasks_per_person AS (
  SELECT person_id,
         count(*)                        AS sales_tasks_total,
         max_by(detail, event_date)      AS last_sales_touch,
         max_by(owner_id, event_date)    AS last_sales_touch_owner_id
  FROM tasks
  GROUP BY person_id
),

open_opportunities AS (
  SELECT account_id,
         concat_ws('; ', collect_list(concat(name, ' (', stage_name, ', ', format_number(amount, 0), ')')))
           AS open_opportunity_list
  FROM silver.opportunities
  WHERE account_id = :account_id
    AND NOT is_closed
    AND duplicate_of IS NULL
  GROUP BY account_id
),

opportunity_changes AS (
  SELECT account_id, max_by(concat(cast(event_date AS string), ': ', detail), ts) AS last_opportunity_change
  FROM gold.customer_timeline
  WHERE account_id = :account_id
    AND source = 'sales'
    AND type = 'opportunity_stage'
  GROUP BY account_id
)

SELECT p.person_id,
       p.name,
       p.title,
       p.is_champion,
       CASE WHEN size(p.contact_ids) > 0 THEN 'contact'
            WHEN size(p.lead_ids) > 0 THEN 'lead' END           AS crm_record,
       coalesce(t.sales_tasks_total, 0)                           AS sales_tasks_total,
       p.sales_tasks_30d,
       p.last_sales_touch_date,
       t.last_sales_touch,
       t.last_sales_touch_owner_id,
       a.crm_owner_id,
       a.sales_tasks_30d                                          AS account_sales_tasks_30d,
       datediff(a.as_of, a.last_sales_touch_date)                 AS days_since_last_sales_touch,
       a.open_opportunities,
       a.open_pipeline_amount,
       o.open_opportunity_list,
       c.last_opportunity_change
FROM people p
CROSS JOIN account a
LEFT JOIN tasks_per_person t ON t.person_id = p.person_id
LEFT JOIN open_opportunities o ON o.account_id = a.account_id
LEFT JOIN opportunity_changes c ON c.account_id = a.account_id
ORDER BY p.last_sales_touch_date DESC NULLS LAST, sales_tasks_total DESC, p.person_id
LIMIT 1000
