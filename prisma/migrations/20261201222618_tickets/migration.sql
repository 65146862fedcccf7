-- CreateEnum
CREATE TYPE "TicketState" AS ENUM ('OPEN', 'WAITING_STAFF', 'WAITING_USER', 'RESOLVED', 'CLOSED');

-- CreateEnum
CREATE TYPE "TicketPriority" AS ENUM ('LOW', 'NORMAL', 'HIGH', 'URGENT');

-- CreateEnum
CREATE TYPE "TicketMessageKind" AS ENUM ('USER', 'STAFF', 'NOTE', 'SYSTEM');

-- CreateTable
CREATE TABLE "tickets" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "request_key" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "identity_id" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "home_platform" "Platform" NOT NULL,
    "guild_id" TEXT,
    "category" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "answers" JSONB NOT NULL DEFAULT '{}',
    "state" "TicketState" NOT NULL DEFAULT 'OPEN',
    "priority" "TicketPriority" NOT NULL DEFAULT 'NORMAL',
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "assignee_identity_id" UUID,
    "assignee_name" TEXT,
    "home_ref" JSONB,
    "home_key" TEXT,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "first_response_at" TIMESTAMPTZ(3),
    "first_responder_id" UUID,
    "last_user_message_at" TIMESTAMPTZ(3),
    "last_staff_message_at" TIMESTAMPTZ(3),
    "last_activity_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sla_first_due_at" TIMESTAMPTZ(3),
    "sla_resolve_due_at" TIMESTAMPTZ(3),
    "sla_first_warned_at" TIMESTAMPTZ(3),
    "sla_resolve_warned_at" TIMESTAMPTZ(3),
    "sla_first_breached_at" TIMESTAMPTZ(3),
    "sla_resolve_breached_at" TIMESTAMPTZ(3),
    "idle_warn_due_at" TIMESTAMPTZ(3),
    "idle_warned_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "closed_by_id" UUID,
    "close_reason" TEXT,
    "reopen_count" INTEGER NOT NULL DEFAULT 0,
    "user_unreachable_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tickets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_messages" (
    "id" BIGSERIAL NOT NULL,
    "ticket_id" UUID NOT NULL,
    "kind" "TicketMessageKind" NOT NULL,
    "author_identity_id" UUID,
    "author_name" TEXT,
    "platform" "Platform",
    "source_key" TEXT,
    "body" TEXT NOT NULL,
    "relay_ref" JSONB,
    "relayed_at" TIMESTAMPTZ(3),
    "relay_error" TEXT,
    "edited_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ticket_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_attachments" (
    "id" BIGSERIAL NOT NULL,
    "message_id" BIGINT NOT NULL,
    "name" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "data" BYTEA,
    "source_ref" TEXT,

    CONSTRAINT "ticket_attachments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_ratings" (
    "ticket_id" UUID NOT NULL,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ticket_ratings_pkey" PRIMARY KEY ("ticket_id")
);

-- CreateTable
CREATE TABLE "ticket_transcripts" (
    "ticket_id" UUID NOT NULL,
    "html" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ticket_transcripts_pkey" PRIMARY KEY ("ticket_id")
);

-- CreateTable
CREATE TABLE "ticket_snippets" (
    "name" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "updated_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ticket_snippets_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "ticket_intakes" (
    "identity_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "category" TEXT,
    "step" INTEGER NOT NULL DEFAULT 0,
    "answers" JSONB NOT NULL DEFAULT '{}',
    "description" TEXT,
    "guild_id" TEXT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ticket_intakes_pkey" PRIMARY KEY ("identity_id")
);

-- CreateTable
CREATE TABLE "ticket_panels" (
    "id" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "guild_id" TEXT,
    "ref" JSONB NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "categories" TEXT[],
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ticket_panels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_settings" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "ticket_settings_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "tickets_number_key" ON "tickets"("number");

-- CreateIndex
CREATE UNIQUE INDEX "tickets_request_key_key" ON "tickets"("request_key");

-- CreateIndex
CREATE UNIQUE INDEX "tickets_home_key_key" ON "tickets"("home_key");

-- CreateIndex
CREATE INDEX "tickets_user_id_state_idx" ON "tickets"("user_id", "state");

-- CreateIndex
CREATE INDEX "tickets_user_id_created_at_idx" ON "tickets"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "tickets_state_last_activity_at_idx" ON "tickets"("state", "last_activity_at");

-- CreateIndex
CREATE INDEX "tickets_assignee_identity_id_idx" ON "tickets"("assignee_identity_id");

-- CreateIndex
CREATE INDEX "ticket_messages_ticket_id_id_idx" ON "ticket_messages"("ticket_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "ticket_messages_ticket_id_source_key_key" ON "ticket_messages"("ticket_id", "source_key");

-- CreateIndex
CREATE INDEX "ticket_attachments_message_id_idx" ON "ticket_attachments"("message_id");

-- AddForeignKey
ALTER TABLE "ticket_messages" ADD CONSTRAINT "ticket_messages_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_attachments" ADD CONSTRAINT "ticket_attachments_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "ticket_messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_ratings" ADD CONSTRAINT "ticket_ratings_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_transcripts" ADD CONSTRAINT "ticket_transcripts_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

