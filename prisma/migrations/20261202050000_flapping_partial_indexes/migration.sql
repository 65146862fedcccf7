-- Hand-written (Prisma 6 cannot declare partial indexes): only flapping nodes are indexed,
-- so the sweep's "settle flapping" step and the flapping-notice read cost what flaps, not a
-- scan of every node. At 1M nodes each scan took 100-500 ms on every sweep.
CREATE INDEX "nodes_flapping_state_since_idx" ON "nodes" ("state_since") WHERE "flapping_since" IS NOT NULL;
CREATE INDEX "nodes_flapping_user_id_idx" ON "nodes" ("user_id") WHERE "flapping_since" IS NOT NULL;
