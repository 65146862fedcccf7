-- Hand-written (Prisma 6 cannot declare partial indexes): only flapping nodes are indexed,
-- so the sweep's "settle flapping" step and the flapping-notice read cost what flaps, not a
-- scan of every node (at 1M nodes each scan took 100-500 ms, on every sweep). Neither
-- index holds a column that a liveness transition writes (state, state_since,
-- last_seen_at), so those updates stay HOT.
CREATE INDEX "nodes_flapping_since_idx" ON "nodes" ("flapping_since") WHERE "flapping_since" IS NOT NULL;
CREATE INDEX "nodes_flapping_user_id_idx" ON "nodes" ("user_id") WHERE "flapping_since" IS NOT NULL;

-- Room on every page for a node's next version: a liveness transition writes no indexed
-- column, so with free space on the page PostgreSQL updates in place (HOT) instead of adding
-- an entry to each of the table's indexes. A mass outage is 10,000 such updates at once.
ALTER TABLE "nodes" SET (fillfactor = 85);
