-- Outbox claims carry who holds them: the node's stable name (so a restarted node takes its
-- claims back at once) and a token per claim (a message is marked sent, or due again, only
-- by the claim that still holds it). Each message gets a key for its stable Message-ID.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claim_token TEXT;
ALTER TABLE outbox ADD COLUMN message_key TEXT;
CREATE INDEX outbox_by_claimer ON outbox (claimed_by);
