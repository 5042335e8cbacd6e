-- What a contact's notes say as the AI layer read them (JSON: intent, urgency, modality, body
-- part, referral mentioned, evidence) and when, written by the `enrich_contact` job after the
-- record or a note or call on its timeline changes. Keep in step with
-- ../sqlite/0018_contact_enrichment.sql.
ALTER TABLE contacts ADD COLUMN enrichment TEXT;
ALTER TABLE contacts ADD COLUMN enriched_at TIMESTAMPTZ;
