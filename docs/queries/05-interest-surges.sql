-- When is there an interest surge from an account?
--
-- One row per ACTIVITY_SURGE signal in the 30 days up to the latest snapshot date: a day on which the
-- account's product events in the 7 days up to it stood far above its own trailing weekly baseline
-- (plg360.build360.signals: surge-min-z-score, surge-min-ratio, surge-baseline-weeks). Each surge comes with
-- the signal's evidence and, from the latest snapshot, the account's momentum and active users now, so a
-- surge that is still going can be told from one that has passed. An account can surge on several days.
--
-- Columns:
--   signal_date                 the day the surge was measured (its 7 days end on this day)
--   account_id, account_name    the account
--   plan                        the account's plan (the highest-priced of its workspaces')
--   mrr                         its monthly recurring revenue over all its workspaces; 0 while nothing is paid
--   crm_owner_id                owner of the account's CRM account; null if it has none
--   z_score                     how many standard deviations the 7 days stood above the baseline
--   evidence                    the signal's explanation: events, baseline mean ± deviation, weeks
--   surges_30d                  ACTIVITY_SURGE signals of the account in the 30 days
--   events_7d, events_prev_7d   product events in the 7 days up to the snapshot date, and in the 7 before
--   momentum_7d                 (events_7d - events_prev_7d) / events_prev_7d: 0.5 is 50% up on the week before
--   active_users_7d, active_users_28d  people active in the 7 / 28 days up to the snapshot date
--   most_active_person_7d       the account's person with the most events in the 7 days: who to talk to
-- Ordered by the surge's date, latest first, then by strength.
--
-- Parameters: none (all accounts).
WITH surges AS (
  SELECT signal_date, account_id, strength AS z_score, evidence
  FROM gold.signals
  WHERE signal_type = 'ACTIVITY_SURGE'
    AND signal_date >  date_sub((SELECT max(as_of) FROM gold.account_360), 30)
    AND signal_date <= (SELECT max(as_of) FROM gold.account_360)
),

accounts AS (
  SELECT account_id, name, plan, mrr, crm_owner_id, events_7d, events_prev_7d, momentum_7d,
         active_users_7d, active_users_28d
  FROM gold.account_360
  WHERE as_of = (SELECT max(as_of) FROM gold.account_360)
),

top_people AS (
  SELECT account_id, max_by(person_id, events_7d) AS most_active_person_7d
  FROM gold.user_360
  WHERE as_of = (SELECT max(as_of) FROM gold.user_360)
    AND events_7d > 0
  GROUP BY account_id
)

SELECT s.signal_date,
       s.account_id,
       a.name                                        AS account_name,
       a.plan,
       a.mrr,
       a.crm_owner_id,
       round(s.z_score, 1)                           AS z_score,
       s.evidence,
       count(*) OVER (PARTITION BY s.account_id)     AS surges_30d,
       a.events_7d,
       a.events_prev_7d,
       round(a.momentum_7d, 2)                       AS momentum_7d,
       a.active_users_7d,
       a.active_users_28d,
       p.most_active_person_7d
FROM surges s
LEFT JOIN accounts a ON a.account_id = s.account_id
LEFT JOIN top_people p ON p.account_id = s.account_id
ORDER BY s.signal_date DESC, s.z_score DESC, s.account_id
LIMIT 500
