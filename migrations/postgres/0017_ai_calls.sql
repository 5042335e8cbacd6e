-- Every call the AI layer answers: which function, who answered (the built-in engine, or an
-- OpenAI-compatible model), the model asked, the provider's token counts, the cost in
-- millionths of a US dollar from the price table, how long it took and how it ended (`ok`;
-- `fallback`: the model failed or did not fit and the built-in engine answered;
-- `over_budget`: the month's budget was spent). No prompt, no answer, no patient data.
-- Keep in step with ../sqlite/0017_ai_calls.sql.
CREATE TABLE ai_calls (
    id                 TEXT PRIMARY KEY NOT NULL,
    function           TEXT NOT NULL CHECK (function IN ('sms_intent', 'warmness', 'enrichment', 'campaign_draft', 'report_insights')),
    provider           TEXT NOT NULL CHECK (provider IN ('builtin', 'openai')),
    model              TEXT,
    prompt_tokens      BIGINT NOT NULL DEFAULT 0,
    completion_tokens  BIGINT NOT NULL DEFAULT 0,
    cost_micros        BIGINT NOT NULL DEFAULT 0,
    latency_ms         BIGINT NOT NULL,
    outcome            TEXT NOT NULL CHECK (outcome IN ('ok', 'fallback', 'over_budget')),
    error              TEXT,
    occurred_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX ai_calls_occurred ON ai_calls (occurred_at);
