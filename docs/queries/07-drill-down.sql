-- Drill down on one customer: their activity across marketing, product, sales and support, in time order.
--
-- One row per touch of the account in gold.customer_timeline: a person's product use on a day, a marketing
-- email event or form submission, a sales task or opportunity stage change, a support ticket change, a
-- subscription change. The 500 most recent touches, shown oldest first, so the story reads top to bottom.
-- Raise the LIMIT in the `touches` CTE for more history.
--
-- Columns:
--   ts            when, UTC (for product: the person's first event that day)
--   source        product, marketing, sales, support or billing
--   type          product_day, email_<event>, form_submission, task, opportunity_stage, ticket_<status>,
--                 subscription_<status>
--   person_id     the person touched or acting; null for account-level touches (opportunities, billing)
--   person_name   their full name
--   workspace_id  the workspace, for product and billing touches
--   detail        what happened, in one line
--   ref_id        id of the source record (for product: person|workspace|date)
--
-- Parameters:
--   :account_id  the account: its registrable domain (acme.com) or personal:<workspace_id>
WITH touches AS (
  SELECT ts, source, type, person_id, workspace_id, detail, ref_id
  FROM gold.customer_timeline
  WHERE account_id = :account_id
  ORDER BY ts DESC
  LIMIT 500
),

people AS (
  SELECT person_id, name
  FROM gold.user_360
  WHERE as_of = (SELECT max(as_of) FROM gold.user_360)
    AND account_id = :account_id
)

SELECT t.ts,
       t.source,
       t.type,
       t.person_id,
       p.name AS person_name,
       t.workspace_id,
       t.detail,
       t.ref_id
FROM touches t
LEFT JOIN people p ON p.person_id = t.person_id
ORDER BY t.ts, t.source, t.type, t.ref_id
