/** `lightning-ts dashboard [--logdir lightning_logs] [--port 6006] [--host 127.0.0.1]`, and the Trainer's `dashboard: true` launcher. */
import { existsSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { MisconfigurationError } from '../errors.js';
import { startDashboard, type DashboardOptions, type DashboardServer } from './server.js';

const CliOptions = z.object({
  logdir: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
});

/** Where the launchers print. */
export interface DashboardIo {
  /** Prints one line. Default: `console.log`. */
  print?: (line: string) => void;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Start a dashboard and print its address (and a warning when it is reachable from other machines). */
export async function launchDashboard(options: DashboardOptions, io: DashboardIo = {}): Promise<DashboardServer> {
  const print = io.print ?? ((line: string) => console.log(line));
  const server = await startDashboard(options);
  print(`Dashboard: ${server.url} (log dir ${server.logDir})`);
  if (!existsSync(server.logDir)) print(`  ${server.logDir} does not exist yet; runs appear as soon as a logger writes there.`);
  if (!isLoopbackHost(options.host ?? '127.0.0.1')) {
    print(`  warning: bound to ${options.host ?? ''}: anyone who can reach this machine can read these logs (there is no authentication).`);
  }
  return server;
}

/**
 * Start the dashboard for a training run: loopback, `port` (default 6006) or any free port when that one is busy, and
 * without keeping the process alive once training is done. Prints the address.
 */
export async function startTrainerDashboard(logDir: string, options: { port?: number; host?: string } & DashboardIo = {}): Promise<DashboardServer> {
  const base: DashboardOptions = { logDir, port: options.port ?? 6006, host: options.host ?? '127.0.0.1', keepProcessAlive: false };
  const io = options.print === undefined ? {} : { print: options.print };
  try {
    return await launchDashboard(base, io);
  } catch (e) {
    if (!(e instanceof MisconfigurationError) || !/already in use/.test(e.message)) throw e;
    return launchDashboard({ ...base, port: 0 }, io);
  }
}

/**
 * Run the `dashboard` subcommand with the arguments after it (`['--logdir', 'runs', '--port', '0']`); resolves with
 * the running server, which stops on SIGINT/SIGTERM (undefined after `--help`).
 */
export async function runDashboardCli(argv: readonly string[], io: DashboardIo = {}): Promise<DashboardServer | undefined> {
  const command = new Command('dashboard')
    .description('Serve a live web dashboard of the runs in a log dir')
    .option('--logdir <dir>', 'log dir to show', 'lightning_logs')
    .option('--port <port>', 'port to listen on (0: any free port)', '6006')
    .option('--host <host>', 'interface to bind (loopback by default)', '127.0.0.1')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (io.print ?? ((l: string) => console.log(l)))(s.trimEnd()), writeErr: () => {} });
  try {
    command.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError && e.code === 'commander.helpDisplayed') return undefined;
    if (e instanceof CommanderError) throw new MisconfigurationError(`dashboard: ${e.message.replace(/^error: /, '')}`, 'Usage: lightning-ts dashboard [--logdir lightning_logs] [--port 6006] [--host 127.0.0.1]', { cause: e });
    throw e;
  }
  const parsed = CliOptions.safeParse(command.opts());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MisconfigurationError(`dashboard: invalid --${String(issue?.path[0] ?? 'option')}: ${issue?.message ?? ''}`, 'Ports are integers from 0 to 65535.');
  }
  const server = await launchDashboard({ logDir: parsed.data.logdir, port: parsed.data.port, host: parsed.data.host }, io);
  const close = async (): Promise<void> => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await server.close();
  };
  const stop = (): void => void close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { url: server.url, port: server.port, logDir: server.logDir, close };
}
