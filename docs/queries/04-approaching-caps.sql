-- Which accounts are about to hit their plan's usage caps?
--
-- Caps are per workspace (each workspace has its own plan), so this works at the workspace grain: one row per
-- workspace and capped meter (plg360.build360.meters: seats, projects, api-calls-per-month) that, in the
-- latest snapshot, is at 80% or more of its plan's cap, or will reach it within 14 days at the last 14 days'
-- daily rate. The thresholds are those of the CAP_APPROACHING signal (plg360.build360.signals cap-min-usage
-- and cap-max-days); where that signal fired for the workspace and meter in the last 30 days (it fires once
-- per meter a month) its date and evidence are shown.
--
-- Columns:
--   account_id, account_name      the account the workspace rolls up to
--   workspace_id, workspace_name  the workspace
--   plan                          its plan (free without a subscription)
--   billing_status                Stripe status of its latest subscription (trialing, active, past_due, ...)
--   is_paid                       on a plan with a price, active or past due
--   meter                         the capped meter
--   usage, cap                    current usage and the plan's cap of that meter
--   cap_usage                     usage / cap: 0.9 is 90% of the cap, above 1 is over it
--   days_to_cap                   days until the cap at the last 14 days' daily rate; 0 at or over the cap;
--                                 null when the meter is not growing
--   cap_status                    'over cap', 'at cap', 'near cap' (>= 80%) or 'growing to cap' (<= 14 days)
--   signal_date, signal_evidence  the latest CAP_APPROACHING signal on this workspace and meter, if any
-- Ordered by days to the cap (soonest first), then by share of the cap.
--
-- Parameters: none (all accounts).
WITH workspaces AS (
  SELECT as_of, workspace_id, account_id, name AS workspace_name, plan, billing_status, is_paid,
         usage, caps, cap_usage, days_to_cap
  FROM gold.workspace_360
  WHERE as_of = (SELECT max(as_of) FROM gold.workspace_360)
),

meters AS (
  -- one row per workspace and capped meter
  SELECT w.as_of, w.workspace_id, w.account_id, w.workspace_name, w.plan, w.billing_status, w.is_paid,
         m.meter,
         w.usage[m.meter]       AS usage,
         w.caps[m.meter]        AS cap,
         m.cap_usage,
         w.days_to_cap[m.meter] AS days_to_cap
  FROM workspaces w
  LATERAL VIEW explode(w.cap_usage) m AS meter, cap_usage
),

approaching AS (
  SELECT *
  FROM meters
  WHERE cap_usage >= 0.8
     OR days_to_cap <= 14
),

cap_signals AS (
  -- the latest CAP_APPROACHING signal per workspace and meter in the 30 days up to the snapshot
  SELECT workspace_id,
         subject                         AS meter,
         max(signal_date)                AS signal_date,
         max_by(evidence, signal_date)   AS signal_evidence
  FROM gold.signals
  WHERE signal_type = 'CAP_APPROACHING'
    AND signal_date >  date_sub((SELECT max(as_of) FROM gold.workspace_360), 30)
    AND signal_date <= (SELECT max(as_of) FROM gold.workspace_360)
  GROUP BY workspace_id, subject
),

accounts AS (
  SELECT account_id, name AS account_name
  FROM gold.account_360
  WHERE as_of = (SELECT max(as_of) FROM gold.account_360)
)

SELECT ap.account_id,
       ac.account_name,
       ap.workspace_id,
       ap.workspace_name,
       ap.plan,
       ap.billing_status,
       ap.is_paid,
       ap.meter,
       ap.usage,
       ap.cap,
       round(ap.cap_usage, 3)   AS cap_usage,
       round(ap.days_to_cap, 1) AS days_to_cap,
       CASE WHEN ap.usage > ap.cap THEN 'over cap'
            WHEN ap.usage = ap.cap THEN 'at cap'
            WHEN ap.cap_usage >= 0.8 THEN 'near cap'
            ELSE 'growing to cap' END AS cap_status,
       s.signal_date,
       s.signal_evidence
FROM approaching ap
LEFT JOIN accounts ac ON ac.account_id = ap.account_id
LEFT JOIN cap_signals s ON s.workspace_id = ap.workspace_id AND s.meter = ap.meter
ORDER BY ap.days_to_cap NULLS LAST, ap.cap_usage DESC, ap.account_id, ap.workspace_id, ap.meter
LIMIT 500
