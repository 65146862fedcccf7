-- CreateTable
CREATE TABLE "delivery_failures" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "user_id" UUID NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "tried" TEXT[],

    CONSTRAINT "delivery_failures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "delivery_failures_at_idx" ON "delivery_failures"("at");

-- CreateIndex
CREATE UNIQUE INDEX "delivery_failures_dedupe_key_key" ON "delivery_failures"("dedupe_key");

