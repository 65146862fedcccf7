// The `nodedesk` command line. Configuration problems and other expected failures
// print one clear line each and exit non-zero, never a stack trace.
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig, secretsOf, type Config } from '../core/config';
import { createPool, parseDatabaseUrl } from '../core/db';
import { Lifecycle } from '../core/lifecycle';
import { createLogger, type Logger } from '../core/logger';
import { migrate, MigrationError } from '../core/migrate';
import {
  checkPostgres,
  checkRedis,
  describePostgresError,
  ServiceUnavailableError,
} from '../core/service-hints';
import { scrub } from '../core/scrub';
import { exitGracefullyOnSignals } from '../core/signals';
import { kbImport, KbImportError } from './kb';
import { parseRoles, ROLES, startRuntime } from './runtime';
import { DataDirBusyError } from './demo/lock';
import { RedisUnavailableError } from './demo/redis';

class UsageError extends Error {}

const VERSION = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

const CONFIG_HELP = `
Configuration:
  Environment variables, validated at start: a bad or missing one stops the command
  with one line per problem. A .env file in the working directory is read when present
  (the real environment wins); start from the template: cp .env.example .env
  start and migrate need DATABASE_URL (PostgreSQL) and a Redis (REDIS_URL, default
  redis://127.0.0.1:6379); TELEGRAM_BOT_TOKEN and DISCORD_TOKEN turn the bots on.
  Every variable, its meaning and default: .env.example, README.md "Configuration",
  docs/contracts.md "Environment variables".
  Nothing to configure to try it: nodedesk demo (npm run demo).
`;

/** PostgreSQL and Redis must answer before anything starts: one line and exit 3 if not. */
async function checkServices(config: Config, redis: boolean): Promise<void> {
  await checkPostgres(parseDatabaseUrl(config.DATABASE_URL).connectionString);
  if (redis) await checkRedis(config.REDIS_URL);
}

function configOrExit(): Config {
  return loadConfig();
}

function loggerFor(config: Config): Logger {
  return createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) });
}

async function runMigrate(config: Config, logger: Logger, print = true) {
  const pool = createPool(config.DATABASE_URL, 1);
  try {
    const { schema } = parseDatabaseUrl(config.DATABASE_URL);
    const result = await migrate(pool, { schema, log: (m) => logger.info(m) });
    const line = result.applied.length
      ? `Applied ${result.applied.length} migration(s): ${result.applied.join(', ')}`
      : `Database is up to date (${result.alreadyApplied.length} migration(s) applied before).`;
    if (print) process.stdout.write(`${line}\n`);
  } finally {
    await pool.end();
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('nodedesk')
    .description('Discord and Telegram bot suite for DePIN GPU communities')
    .version(VERSION, '-v, --version', 'print the version')
    .addHelpText('after', CONFIG_HELP)
    .showHelpAfterError()
    .exitOverride();

  program
    .command('start')
    .description('run the product: bots, workers and web roles (all three by default)')
    .option('--roles <list>', `comma list of ${ROLES.join(', ')}`, ROLES.join(','))
    .option(
      '--no-migrate',
      'do not apply pending migrations first (when a deploy step runs `nodedesk migrate`)',
    )
    .action(async (opts: { roles: string; migrate: boolean }) => {
      let roles;
      try {
        roles = parseRoles(opts.roles);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const config = configOrExit();
      const logger = loggerFor(config);
      await checkServices(config, true);
      // Pending migrations first: safe when many processes start at once (advisory lock).
      if (opts.migrate) await runMigrate(config, logger, false);
      // Signals are handled from here on, so a shutdown during start-up (a Bot API that
      // does not answer, say) stops what already runs instead of killing it.
      const lifecycle = new Lifecycle(logger);
      let stopping = false;
      exitGracefullyOnSignals(() => {
        stopping = true;
        return lifecycle.stop();
      }, logger);
      try {
        await startRuntime({ config, roles, logger, lifecycle });
      } catch (err) {
        // The signal handler exits once everything stopped; nothing more to say.
        if (stopping) return new Promise<void>(() => {});
        throw err;
      }
      logger.info({ roles }, 'nodedesk started');
    });

  program
    .command('demo')
    .description(
      'everything on local emulators, nothing to configure: prints the URL of the sandbox console (Ctrl-C stops it)',
    )
    .option('--port <port>', 'console port on 127.0.0.1 (0 = any free port)', '8070')
    .option('--data-dir <dir>', 'where the embedded database, a private Redis and the log live', '.data')
    .action(async (opts: { port: string; dataDir: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be a port number (0-65535), got "${opts.port}"`);
      // Loaded only here: the emulators and the console are not part of `start`.
      const { runDemo } = require('./demo') as typeof import('./demo');
      await runDemo({ port, dataDir: opts.dataDir });
    });

  program
    .command('migrate')
    .description('apply pending database migrations (safe to run from several processes at once)')
    .action(async () => {
      const config = configOrExit();
      await checkServices(config, false);
      await runMigrate(config, loggerFor(config));
    });

  const kb = program.command('kb').description('knowledge base of the assistant');
  kb.command('import <dir>')
    .description('upsert every Markdown entry of a folder by (id, lang); all files or none')
    .action(async (dir: string) => {
      const fs = await import('node:fs');
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new UsageError(`kb import: ${dir} is not a folder`);
      }
      await kbImport(configOrExit(), dir, (line) => process.stdout.write(`${line}\n`));
    });

  return program;
}

export async function main(argv = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof ConfigError) {
      // A newcomer without a .env most likely skipped the copy step: say it first.
      const hint = fs.existsSync(path.join(process.cwd(), '.env'))
        ? ''
        : 'No .env file here: cp .env.example .env, then fill it in (or set the variables in the environment). To try nodedesk with nothing to configure: npm run demo.\n';
      process.stderr.write(
        `nodedesk: invalid configuration\n${err.problems.map((p) => `  ${p}`).join('\n')}\n${hint}`,
      );
      process.exitCode = 2;
      return;
    }
    if (err instanceof RedisUnavailableError || err instanceof DataDirBusyError) {
      process.stderr.write(`nodedesk demo: ${err.message}\n`);
      process.exitCode = 3;
      return;
    }
    if (err instanceof ServiceUnavailableError) {
      process.stderr.write(`nodedesk: ${err.message}\n`);
      process.exitCode = 3;
      return;
    }
    if (err instanceof UsageError || err instanceof MigrationError || err instanceof KbImportError) {
      process.stderr.write(`nodedesk: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    const e = err as NodeJS.ErrnoException;
    // A service lost between the check and its use (kb import checks nothing first).
    const sqlState = typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
    const pgLine =
      sqlState && process.env.DATABASE_URL ? describePostgresError(e, process.env.DATABASE_URL) : undefined;
    if (pgLine || (e && ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT'].includes(e.code ?? ''))) {
      process.stderr.write(`nodedesk: ${pgLine ?? `cannot reach a required service: ${scrub(e.message)}`}\n`);
      process.exitCode = 3;
      return;
    }
    process.stderr.write(`nodedesk: ${scrub(e?.message ?? String(err))}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
