-- AlterTable
ALTER TABLE "nodes" ADD COLUMN     "flapping_since" TIMESTAMPTZ(3),
ADD COLUMN     "maintenance_until" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "node_transitions" (
    "id" BIGSERIAL NOT NULL,
    "node_id" UUID NOT NULL,
    "from" "NodeState" NOT NULL,
    "to" "NodeState" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "event_id" TEXT,

    CONSTRAINT "node_transitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incidents" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "first_alert_at" TIMESTAMPTZ(3),
    "last_alert_at" TIMESTAMPTZ(3),
    "alert_count" INTEGER NOT NULL DEFAULT 0,
    "reminder_count" INTEGER NOT NULL DEFAULT 0,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "incidents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incident_nodes" (
    "incident_id" UUID NOT NULL,
    "node_id" UUID NOT NULL,
    "down_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3),
    "up_at" TIMESTAMPTZ(3),
    "alerted_at" TIMESTAMPTZ(3),

    CONSTRAINT "incident_nodes_pkey" PRIMARY KEY ("incident_id","node_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "node_transitions_event_id_key" ON "node_transitions"("event_id");

-- CreateIndex
CREATE INDEX "node_transitions_node_id_at_idx" ON "node_transitions"("node_id", "at");

-- CreateIndex
CREATE INDEX "incidents_user_id_closed_at_idx" ON "incidents"("user_id", "closed_at");

-- CreateIndex
CREATE INDEX "incident_nodes_node_id_idx" ON "incident_nodes"("node_id");

-- AddForeignKey
ALTER TABLE "node_transitions" ADD CONSTRAINT "node_transitions_node_id_fkey" FOREIGN KEY ("node_id") REFERENCES "nodes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident_nodes" ADD CONSTRAINT "incident_nodes_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident_nodes" ADD CONSTRAINT "incident_nodes_node_id_fkey" FOREIGN KEY ("node_id") REFERENCES "nodes"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- At most one open incident per owner, so concurrent consumers cannot open two.
CREATE UNIQUE INDEX "incidents_one_open_per_user" ON "incidents"("user_id") WHERE "closed_at" IS NULL;
