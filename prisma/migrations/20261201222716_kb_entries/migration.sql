-- CreateTable
CREATE TABLE "kb_entry_versions" (
    "seq" SERIAL NOT NULL,
    "entry_id" TEXT NOT NULL,
    "lang" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "updated" DATE NOT NULL,
    "source" TEXT NOT NULL,
    "tags" TEXT[],
    "body" TEXT NOT NULL,
    "meta" JSONB,
    "content_hash" TEXT NOT NULL,
    "published_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kb_entry_versions_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "kb_entry_versions_entry_id_lang_updated_idx" ON "kb_entry_versions"("entry_id", "lang", "updated");

-- CreateIndex
CREATE UNIQUE INDEX "kb_entry_versions_entry_id_lang_version_key" ON "kb_entry_versions"("entry_id", "lang", "version");

