-- AlterTable
ALTER TABLE "nodes" ADD COLUMN     "network" TEXT,
ADD COLUMN     "owned_via" TEXT;

-- CreateTable
CREATE TABLE "node_signals" (
    "id" BIGSERIAL NOT NULL,
    "node_id" UUID NOT NULL,
    "network" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "case_id" TEXT,

    CONSTRAINT "node_signals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "node_signals_node_id_kind_key" ON "node_signals"("node_id", "kind");

-- CreateIndex
CREATE INDEX "nodes_network_idx" ON "nodes"("network");

-- AddForeignKey
ALTER TABLE "node_signals" ADD CONSTRAINT "node_signals_node_id_fkey" FOREIGN KEY ("node_id") REFERENCES "nodes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

