-- When do accounts hit the product milestones that indicate they are getting value from the product?
--
-- One row per MILESTONE_REACHED signal in the 30 days up to the latest snapshot date: a workspace used a
-- milestone's product event for the first time (of plg360.build360.signals.milestones: first_teammate_joined,
-- first_integration, first_dashboard_shared, first_api_call; at most one a workspace a week). Next to it, from the
-- latest snapshot, where the whole account stands: how many milestones it has reached, and when it reached
-- first value (plg360.build360.first-value-milestone, first_integration) and how long that took.
--
-- Columns:
--   signal_date                       the day the workspace reached the milestone
--   account_id, account_name          the account
--   plan, mrr                         the account's plan (the highest-priced of its workspaces') and its
--                                     monthly recurring revenue (0 while nothing is paid)
--   workspace_id                      the workspace that reached it
--   milestone                         the milestone
--   reached_by                        the person whose event reached it
--   first_in_account                  the account had not reached this milestone before (in no workspace)
--   is_first_value_milestone          the milestone is the first-value milestone (first_integration)
--   account_milestones_reached        milestones the account has reached, over all its workspaces
--   account_first_value_date          when the account reached first value; null if not yet
--   account_days_to_first_value       days from the account's first activity to first value; null if not yet
--   evidence                          the signal's explanation
-- Ordered by date, latest first.
--
-- Parameters: none (all accounts).
WITH milestones AS (
  SELECT signal_date, account_id, workspace_id, person_id, subject AS milestone, evidence
  FROM gold.signals
  WHERE signal_type = 'MILESTONE_REACHED'
    AND signal_date >  date_sub((SELECT max(as_of) FROM gold.account_360), 30)
    AND signal_date <= (SELECT max(as_of) FROM gold.account_360)
),

accounts AS (
  SELECT account_id, name, plan, mrr, milestones, milestones_reached, first_value_date,
         -- days_to_first_value is only meaningful once first value is reached
         CASE WHEN first_value_date IS NOT NULL THEN days_to_first_value END AS days_to_first_value
  FROM gold.account_360
  WHERE as_of = (SELECT max(as_of) FROM gold.account_360)
)

SELECT m.signal_date,
       m.account_id,
       a.name                                        AS account_name,
       a.plan,
       a.mrr,
       m.workspace_id,
       m.milestone,
       m.person_id                                   AS reached_by,
       a.milestones[m.milestone] = m.signal_date     AS first_in_account,
       m.milestone = 'first_integration'             AS is_first_value_milestone,
       a.milestones_reached                          AS account_milestones_reached,
       a.first_value_date                            AS account_first_value_date,
       a.days_to_first_value                         AS account_days_to_first_value,
       m.evidence
FROM milestones m
LEFT JOIN accounts a ON a.account_id = m.account_id
ORDER BY m.signal_date DESC, m.account_id, m.workspace_id, m.milestone
LIMIT 500
