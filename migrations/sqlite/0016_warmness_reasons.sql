-- Why a contact's stored warmness is what it is (JSON: [{"points": 18, "text": "referral on
-- file"}, …]) and when it was worked out; `warmness` itself is in 0001. Written together by
-- the AI layer's recalculation. Keep in step with ../postgres/0016_warmness_reasons.sql.
ALTER TABLE contacts ADD COLUMN warmness_reasons TEXT;
ALTER TABLE contacts ADD COLUMN warmness_at TEXT;
