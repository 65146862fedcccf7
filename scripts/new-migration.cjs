#!/usr/bin/env node
// Creates prisma/migrations/<timestamp>_<name>/migration.sql from the difference between
// the applied migrations and prisma/schema.prisma, with `prisma migrate diff` (offline:
// it needs no database and no native engine). Usage: npm run migration:new -- <name>
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const name = (process.argv[2] || '').replace(/[^a-z0-9_]/gi, '_').toLowerCase();
if (!name) {
  console.error('usage: npm run migration:new -- <name>   (e.g. add_audit_log)');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const dir = path.join(root, 'prisma', 'migrations');
const prisma = path.join(root, 'node_modules', '.bin', 'prisma');
const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres',
};

// Rebuilding the applied schema from the SQL would need a database (a shadow database);
// a snapshot of the datamodel at the last migration gives the same diff offline.
// The datamodel as of the last generated migration (updated by this script).
const snapshot = path.join(root, 'prisma', 'snapshot', 'schema.prisma');
const from = fs.existsSync(snapshot) ? ['--from-schema-datamodel', snapshot] : ['--from-empty'];
const sql = execFileSync(
  prisma,
  ['migrate', 'diff', ...from, '--to-schema-datamodel', 'prisma/schema.prisma', '--script'],
  {
    cwd: root,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
if (/^-- This is an empty migration/m.test(sql) || sql.trim() === '') {
  console.log('No schema change: nothing to do.');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const target = path.join(dir, `${stamp}_${name}`);
fs.mkdirSync(target, { recursive: true });
fs.writeFileSync(path.join(target, 'migration.sql'), sql);
fs.copyFileSync(path.join(root, 'prisma', 'schema.prisma'), snapshot);
console.log(`Created ${path.relative(root, target)}/migration.sql`);
