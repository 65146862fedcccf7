// Prisma CLI configuration. Why a driver adapter here: this machine cannot download
// Prisma's schema-engine binary, so `generate` and `migrate diff` run on the
// WebAssembly engine through @prisma/adapter-pg (see docs/architecture.md "Database").
// Migrations are applied by our own runner (`nodedesk migrate`), not `prisma migrate deploy`.
import 'dotenv/config';
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

// generate/diff never connect, but the schema's env("DATABASE_URL") and the adapter
// need a URL; without one the CLI falls back to downloading a native engine.
process.env.DATABASE_URL ||= 'postgresql://postgres@127.0.0.1:5432/postgres';
const url = process.env.DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  engine: 'js',
  adapter: async () => new PrismaPg({ connectionString: url }),
});
