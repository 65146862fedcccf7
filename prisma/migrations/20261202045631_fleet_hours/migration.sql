-- CreateTable
CREATE TABLE "fleet_hours" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "online" INTEGER NOT NULL,
    "offline" INTEGER NOT NULL,

    CONSTRAINT "fleet_hours_pkey" PRIMARY KEY ("hour","source")
);

-- CreateIndex
CREATE INDEX "node_transitions_at_idx" ON "node_transitions"("at");

