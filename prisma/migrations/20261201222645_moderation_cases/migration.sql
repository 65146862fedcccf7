-- CreateEnum
CREATE TYPE "CaseState" AS ENUM ('NEW', 'TRIAGING', 'NEEDS_INFO', 'CONFIRMED', 'DISMISSED', 'MERGED');

-- CreateEnum
CREATE TYPE "CaseOrigin" AS ENUM ('REPORTED', 'DETECTED');

-- CreateEnum
CREATE TYPE "ReportReason" AS ENUM ('VIRTUALIZED_GPU', 'DUPLICATED_CARD', 'WRONG_MODEL', 'SYBIL_FARM', 'OTHER');

-- CreateTable
CREATE TABLE "moderation_cases" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "state" "CaseState" NOT NULL DEFAULT 'NEW',
    "origin" "CaseOrigin" NOT NULL,
    "score" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "signals" JSONB NOT NULL DEFAULT '[]',
    "brigading" JSONB,
    "cluster_key" TEXT,
    "assignee_user_id" UUID,
    "assignee_name" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "decided_by_name" TEXT,
    "merged_into_id" UUID,
    "ticket_ref" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "evidence_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "moderation_cases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moderation_case_nodes" (
    "case_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "moderation_case_nodes_pkey" PRIMARY KEY ("case_id","node_id")
);

-- CreateTable
CREATE TABLE "moderation_reports" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "reporter_user_id" UUID NOT NULL,
    "reporter_identity_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "reason" "ReportReason" NOT NULL,
    "text" TEXT NOT NULL,
    "attachments" JSONB NOT NULL DEFAULT '[]',
    "weight" DOUBLE PRECISION NOT NULL,
    "counted" BOOLEAN NOT NULL,
    "young_account" BOOLEAN NOT NULL,
    "account_created_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "moderation_reports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moderation_case_events" (
    "id" BIGSERIAL NOT NULL,
    "case_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_user_id" UUID,
    "actor_name" TEXT,
    "action" TEXT NOT NULL,
    "details" JSONB,

    CONSTRAINT "moderation_case_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moderation_case_cards" (
    "case_id" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "chat_id" TEXT NOT NULL,
    "thread_id" TEXT,
    "message_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "moderation_case_cards_pkey" PRIMARY KEY ("case_id","platform")
);

-- CreateTable
CREATE TABLE "moderation_info_requests" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "asked_by_name" TEXT,
    "asked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "answered_at" TIMESTAMPTZ(3),
    "answer" TEXT,

    CONSTRAINT "moderation_info_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moderation_reporters" (
    "user_id" UUID NOT NULL,
    "confirmed" INTEGER NOT NULL DEFAULT 0,
    "dismissed" INTEGER NOT NULL DEFAULT 0,
    "barred_at" TIMESTAMPTZ(3),
    "barred_by_name" TEXT,
    "bar_reason" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "moderation_reporters_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "moderation_node_evidence" (
    "node_id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "gpu_model" TEXT,
    "gpu_count" INTEGER,
    "gpu_uuids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "ip_hash" TEXT,
    "benchmark_tflops" DOUBLE PRECISION,
    "fingerprint" TEXT,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "moderation_node_evidence_pkey" PRIMARY KEY ("node_id","source")
);

-- CreateTable
CREATE TABLE "moderation_settings" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "moderation_settings_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "moderation_cases_number_key" ON "moderation_cases"("number");

-- CreateIndex
CREATE INDEX "moderation_cases_state_created_at_idx" ON "moderation_cases"("state", "created_at");

-- CreateIndex
CREATE INDEX "moderation_cases_cluster_key_idx" ON "moderation_cases"("cluster_key");

-- CreateIndex
CREATE INDEX "moderation_case_nodes_node_id_idx" ON "moderation_case_nodes"("node_id");

-- CreateIndex
CREATE INDEX "moderation_reports_case_id_created_at_idx" ON "moderation_reports"("case_id", "created_at");

-- CreateIndex
CREATE INDEX "moderation_reports_reporter_user_id_created_at_idx" ON "moderation_reports"("reporter_user_id", "created_at");

-- CreateIndex
CREATE INDEX "moderation_case_events_case_id_at_idx" ON "moderation_case_events"("case_id", "at");

-- CreateIndex
CREATE INDEX "moderation_info_requests_user_id_answered_at_idx" ON "moderation_info_requests"("user_id", "answered_at");

-- CreateIndex
CREATE INDEX "moderation_info_requests_case_id_idx" ON "moderation_info_requests"("case_id");

-- CreateIndex
CREATE INDEX "moderation_node_evidence_gpu_uuids_idx" ON "moderation_node_evidence" USING GIN ("gpu_uuids");

-- CreateIndex
CREATE INDEX "moderation_node_evidence_ip_hash_idx" ON "moderation_node_evidence"("ip_hash");

-- CreateIndex
CREATE INDEX "moderation_node_evidence_fingerprint_first_seen_at_idx" ON "moderation_node_evidence"("fingerprint", "first_seen_at");

-- AddForeignKey
ALTER TABLE "moderation_case_nodes" ADD CONSTRAINT "moderation_case_nodes_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "moderation_cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moderation_reports" ADD CONSTRAINT "moderation_reports_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "moderation_cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moderation_case_events" ADD CONSTRAINT "moderation_case_events_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "moderation_cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moderation_case_cards" ADD CONSTRAINT "moderation_case_cards_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "moderation_cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moderation_info_requests" ADD CONSTRAINT "moderation_info_requests_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "moderation_cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

