-- How many emails did we send them, and did they open or click?
--
-- One row per person of the account (everyone gold.user_360 links to it, with or without email), with the
-- marketing emails HubSpot sent them over all history and in the last 30 days. An "email" is one campaign
-- sent to one person: the HubSpot events of the account's people come from gold.customer_timeline (which
-- resolved each recipient to a person) and their campaign from bronze.email_events.
--
-- Columns:
--   person_id, name, title  the person (normalised email), full name, job title from the CRM
--   emails_sent             campaigns sent to the person, all history
--   emails_opened           of those, campaigns the person opened at least once
--   emails_clicked          campaigns the person clicked a link in at least once
--   emails_bounced          campaigns that bounced
--   unsubscribed_at         when the person unsubscribed (UTC); null if they did not
--   first_sent_at           first email sent (UTC)
--   last_sent_at            latest email sent (UTC)
--   last_opened_at          latest open (UTC)
--   last_clicked_at         latest click (UTC)
--   last_clicked_url        the link of that click
--   emails_sent_30d         gold.user_360: SENT events in the 30 days up to the latest snapshot
--   emails_opened_30d       gold.user_360: OPEN events in those 30 days (an email opened twice counts twice)
--   emails_clicked_30d      gold.user_360: CLICK events in those 30 days
-- The account's totals for the 30 days are in gold.account_360 (emails_sent_30d, ...).
-- Ordered by emails sent, most first.
--
-- Parameters:
--   :account_id  the account: its registrable domain (acme.com) or personal:<workspace_id>
WITH people AS (
  SELECT person_id, name, title, emails_sent_30d, emails_opened_30d, emails_clicked_30d
  FROM gold.user_360
  WHERE as_of = (SELECT max(as_of) FROM gold.user_360)
    AND account_id = :account_id
),

email_events AS (
  -- every HubSpot email event (SENT, DELIVERED, OPEN, CLICK, BOUNCE, UNSUBSCRIBED) of the account's people
  SELECT t.person_id, t.ts, e.event_type, e.campaign_id, e.url
  FROM gold.customer_timeline t
  JOIN bronze.email_events e ON e.id = t.ref_id
  WHERE t.account_id = :account_id
    AND t.source = 'marketing'
    AND t.type LIKE 'email%'
),

emails AS (
  -- one row per email: a campaign sent to a person
  SELECT person_id,
         campaign_id,
         min(CASE WHEN event_type = 'SENT' THEN ts END)         AS sent_at,
         count_if(event_type = 'OPEN') > 0                       AS opened,
         count_if(event_type = 'CLICK') > 0                      AS clicked,
         count_if(event_type = 'BOUNCE') > 0                     AS bounced,
         min(CASE WHEN event_type = 'UNSUBSCRIBED' THEN ts END) AS unsubscribed_at,
         max(CASE WHEN event_type = 'OPEN' THEN ts END)         AS last_opened_at,
         max(CASE WHEN event_type = 'CLICK' THEN ts END)        AS last_clicked_at,
         max_by(CASE WHEN event_type = 'CLICK' THEN url END,
                CASE WHEN event_type = 'CLICK' THEN ts END)     AS last_clicked_url
  FROM email_events
  GROUP BY person_id, campaign_id
),

per_person AS (
  SELECT person_id,
         count(sent_at)                            AS emails_sent,
         count_if(opened)                          AS emails_opened,
         count_if(clicked)                         AS emails_clicked,
         count_if(bounced)                         AS emails_bounced,
         min(unsubscribed_at)                      AS unsubscribed_at,
         min(sent_at)                              AS first_sent_at,
         max(sent_at)                              AS last_sent_at,
         max(last_opened_at)                       AS last_opened_at,
         max(last_clicked_at)                      AS last_clicked_at,
         max_by(last_clicked_url, last_clicked_at) AS last_clicked_url
  FROM emails
  GROUP BY person_id
)

SELECT p.person_id,
       p.name,
       p.title,
       coalesce(e.emails_sent, 0)    AS emails_sent,
       coalesce(e.emails_opened, 0)  AS emails_opened,
       coalesce(e.emails_clicked, 0) AS emails_clicked,
       coalesce(e.emails_bounced, 0) AS emails_bounced,
       e.unsubscribed_at,
       e.first_sent_at,
       e.last_sent_at,
       e.last_opened_at,
       e.last_clicked_at,
       e.last_clicked_url,
       p.emails_sent_30d,
       p.emails_opened_30d,
       p.emails_clicked_30d
FROM people p
LEFT JOIN per_person e ON e.person_id = p.person_id
ORDER BY emails_sent DESC, e.last_sent_at DESC NULLS LAST, p.person_id
LIMIT 1000
