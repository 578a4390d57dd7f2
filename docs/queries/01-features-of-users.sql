-- Which features do users A and B from company X use?
--
-- One row per person of the account and feature they used in the 28 days up to the latest snapshot
-- (the 'Feature Used' events' properties.feature, exploded from gold.user_360.feature_uses_28d), so
-- "users A and B" are the rows of A and B. A person with no feature use in those 28 days (for example a
-- CRM lead who never signed up) appears once, with feature and uses_28d null.
--
-- Columns:
--   person_id              the person (normalised email), see silver.people
--   name, title            full name; job title from the CRM
--   is_champion            among the account's most active people who also invited others
--   active_days_28d        days with any product activity in the 28 days
--   last_active_date       last day with any activity, up to the snapshot's as-of date
--   feature                the feature used
--   uses_28d               this person's uses of the feature in the 28 days
--   account_uses_28d       the whole account's uses of the feature in the same 28 days
--   share_of_account_uses  uses_28d / account_uses_28d: 0.4 means this person made 40% of the account's uses
--                          (can exceed 1 if the person also uses the feature in another account's workspace)
-- Ordered by the person's total feature uses (heaviest user first), then by the feature's uses.
--
-- Parameters:
--   :account_id  the account: its registrable domain (acme.com) or personal:<workspace_id>
WITH people AS (
  SELECT person_id, name, title, is_champion, active_days_28d, last_active_date, feature_uses_28d
  FROM gold.user_360
  WHERE as_of = (SELECT max(as_of) FROM gold.user_360)
    AND account_id = :account_id
),

person_features AS (
  -- one row per person and feature; OUTER keeps people with an empty map
  SELECT p.person_id, p.name, p.title, p.is_champion, p.active_days_28d, p.last_active_date,
         f.feature, f.uses_28d,
         sum(f.uses_28d) OVER (PARTITION BY p.person_id) AS person_uses_28d
  FROM people p
  LATERAL VIEW OUTER explode(p.feature_uses_28d) f AS feature, uses_28d
),

account_features AS (
  SELECT f.feature, f.uses_28d AS account_uses_28d
  FROM gold.account_360 a
  LATERAL VIEW explode(a.feature_uses_28d) f AS feature, uses_28d
  WHERE a.as_of = (SELECT max(as_of) FROM gold.account_360)
    AND a.account_id = :account_id
)

SELECT pf.person_id,
       pf.name,
       pf.title,
       pf.is_champion,
       pf.active_days_28d,
       pf.last_active_date,
       pf.feature,
       pf.uses_28d,
       af.account_uses_28d,
       round(pf.uses_28d / af.account_uses_28d, 3) AS share_of_account_uses
FROM person_features pf
LEFT JOIN account_features af ON af.feature = pf.feature
ORDER BY pf.person_uses_28d DESC NULLS LAST,
         pf.person_id,
         pf.uses_28d DESC,
         pf.feature
LIMIT 1000
