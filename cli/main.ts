// The `nodedesk` command line. Configuration problems and other expected failures
// print one clear line each and exit non-zero, never a stack trace.
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig, secretsOf, type Config } from '../core/config';
import { createPool, parseDatabaseUrl } from '../core/db';
import { createLogger, type Logger } from '../core/logger';
import { migrate, MigrationError } from '../core/migrate';
import { exitGracefullyOnSignals } from '../core/signals';
import { kbImport, KbImportError } from './kb';
import { parseRoles, ROLES, startRuntime } from './runtime';
import { DataDirBusyError } from './demo/lock';
import { RedisUnavailableError } from './demo/redis';

class UsageError extends Error {}

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
      // Pending migrations first: safe when many processes start at once (advisory lock).
      if (opts.migrate) await runMigrate(config, logger, false);
      const runtime = await startRuntime({ config, roles, logger });
      exitGracefullyOnSignals(() => runtime.stop(), logger);
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
      process.stderr.write(
        `nodedesk: invalid configuration\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`,
      );
      process.exitCode = 2;
      return;
    }
    if (err instanceof RedisUnavailableError || err instanceof DataDirBusyError) {
      process.stderr.write(`nodedesk demo: ${err.message}\n`);
      process.exitCode = 3;
      return;
    }
    if (err instanceof UsageError || err instanceof MigrationError || err instanceof KbImportError) {
      process.stderr.write(`nodedesk: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    const e = err as NodeJS.ErrnoException;
    if (
      e &&
      (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === '3D000' || e.code === '28P01')
    ) {
      process.stderr.write(`nodedesk: cannot reach a required service: ${e.message}\n`);
      process.exitCode = 3;
      return;
    }
    process.stderr.write(`nodedesk: ${e?.message ?? String(err)}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
