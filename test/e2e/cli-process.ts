// Spawning the built CLI for the e2e tests: every process is tracked so afterEach can kill what a
// failed test left behind, and every wait has a deadline (no fixed sleeps).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The command users run: the bundled CLI (scripts/build-cli.mjs). */
export const BIN = fileURLToPath(new URL('../../dist/cli/mailgun-mock.cjs', import.meta.url));
const DEADLINE_MS = 15_000;

/** `npm test` builds first; a direct `vitest run` of this file builds if dist is missing. */
export function ensureBuilt(): void {
  if (!existsSync(BIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** The environment without the developer's own MAILGUN_MOCK_* variables, plus `extra`. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MAILGUN_MOCK_')) env[k] = v;
  return { ...env, ...extra };
}

export function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits until `check` returns a value, failing after the deadline with what the process printed. */
export async function waitFor<T>(cli: CliProcess, check: () => T | undefined, what: string, ms = DEADLINE_MS): Promise<T> {
  const until = Date.now() + ms;
  let done = false;
  void cli.exited.then(() => (done = true));
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (done || Date.now() > until) {
      throw new Error(`${done ? 'process exited' : 'timed out'} waiting for ${what}\nstdout: ${cli.stdout()}\nstderr: ${cli.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts the CLI and resolves once the banner's first line gives the URL. */
export async function startCli(args: string[], env: Record<string, string> = {}): Promise<CliProcess & { url: string }> {
  const cli = spawnCli(args, env);
  const url = await waitFor(cli, () => /^mailgun-mock listening on (http:\/\/\S+)$/m.exec(cli.stdout())?.[1], 'the banner');
  return { ...cli, url };
}

/** Resolves with how the process ended, killing it if it outlives the deadline. */
export async function exitOf(cli: CliProcess, ms = DEADLINE_MS) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cli.child.kill('SIGKILL');
      reject(new Error(`process did not exit within ${ms} ms\nstdout: ${cli.stdout()}\nstderr: ${cli.stderr()}`));
    }, ms);
  });
  try {
    return await Promise.race([cli.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Kills every CLI process still running (for afterEach). */
export async function killAll(): Promise<void> {
  const left = [...running];
  await Promise.all(
    left.map((child) => {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      return gone;
    }),
  );
}

/** A port nothing listens on: bound on 127.0.0.1:0, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
