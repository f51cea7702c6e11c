// Cold start of a program: the time from spawning it to its first successful HTTP answer, measured
// in this process on one clock. The program must print `listening on http://HOST:PORT` on stdout
// once it listens (the mock's banner does, and so does coldstart-baseline.mjs); one GET on
// /__mock/health then must answer 200. Every child is killed before the next spawn (SIGTERM, then
// SIGKILL after a bounded wait), so no two programs ever start at the same time.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The programs compared: the mock's CLI, the bare Express 5 app, and plain `node -e 0` (the floor: exits, never answers). */
export const COLDSTART_PROGRAMS = {
  mock: { label: 'mailgun-mock CLI', args: ['dist/cli/mailgun-mock.cjs', '--port', '0', '--log-level', 'silent'] },
  bare: { label: 'bare Express 5', args: ['bench/lib/coldstart-baseline.mjs'] },
  floor: { label: 'node -e 0', args: ['-e', '0'], exitOnly: true },
};
export const HEALTH_PATH = '/__mock/health';

// The CLI reads MAILGUN_MOCK_* variables; none from the caller's shell may change what is measured.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MAILGUN_MOCK_')));

function get(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Kills the child and waits for it to be gone: SIGTERM, then SIGKILL after `graceMs`. */
async function reap(child, exited, graceMs = 3_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * One cold start. For a server: spawn → its `listening on URL` line (`listenMs`) → the 200 of one
 * GET on HEALTH_PATH (`answerMs`, the figure). For `exitOnly`: spawn → exit (`answerMs`).
 * @throws when the program dies, prints no URL, or does not answer 200 within `timeoutMs`.
 */
export async function coldStartOnce(name, { timeoutMs = 20_000 } = {}) {
  const prog = COLDSTART_PROGRAMS[name];
  const t0 = performance.now();
  const child = spawn(process.execPath, prog.args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
  let stderr = '';
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-2000)));
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${prog.label}: no answer within ${timeoutMs} ms (stderr: ${stderr.trim() || 'empty'})`)), timeoutMs);
  });
  try {
    if (prog.exitOnly) {
      child.stdout.resume();
      const { code, signal, at } = await Promise.race([exited, deadline]);
      if (code !== 0) throw new Error(`${prog.label} exited ${signal ?? code} (stderr: ${stderr.trim()})`);
      return { answerMs: at - t0 };
    }
    const listening = new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve({ url: m[1], at: performance.now() });
      });
      exited.then(({ code, signal }) => reject(new Error(`${prog.label} exited ${signal ?? code} before listening (stderr: ${stderr.trim() || 'empty'})`)));
    });
    const { url, at: listenAt } = await Promise.race([listening, deadline]);
    const res = await Promise.race([get(url + HEALTH_PATH), deadline]);
    const t1 = performance.now();
    if (res.status !== 200) throw new Error(`${prog.label}: GET ${HEALTH_PATH} answered ${res.status} ${res.body.slice(0, 200)}`);
    return { answerMs: t1 - t0, listenMs: listenAt - t0 };
  } finally {
    clearTimeout(timer);
    await reap(child, exited);
  }
}

const r3 = (v) => Math.round(v * 1000) / 1000;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * `runs` cold starts of each program after one untimed start each (it fills the page cache), the
 * order rotated every run so no program always follows the same one. Returns per program the
 * median and min of spawn → first 200 (and of spawn → `listening`), and every run.
 */
export async function measureColdStart({ runs = 15, timeoutMs = 20_000, log = () => {} } = {}) {
  const names = Object.keys(COLDSTART_PROGRAMS);
  for (const name of names) await coldStartOnce(name, { timeoutMs });
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    const order = names.map((_, j) => names[(j + i) % names.length]);
    for (const name of order) samples[name].push(await coldStartOnce(name, { timeoutMs }));
    log(`coldstart run ${String(i + 1).padStart(2)}  ` + names.map((n) => `${n} ${samples[n].at(-1).answerMs.toFixed(1)} ms`).join('  '));
  }
  const stats = (xs) => ({ medianMs: r3(median(xs)), minMs: r3(Math.min(...xs)), maxMs: r3(Math.max(...xs)) });
  const programs = Object.fromEntries(
    names.map((n) => {
      const s = samples[n];
      return [
        n,
        {
          label: COLDSTART_PROGRAMS[n].label,
          command: `node ${COLDSTART_PROGRAMS[n].args.join(' ')}`,
          ...stats(s.map((x) => x.answerMs)),
          listen: s[0].listenMs === undefined ? null : stats(s.map((x) => x.listenMs)),
          n: s.length,
          runsMs: s.map((x) => r3(x.answerMs)),
        },
      ];
    }),
  );
  return { runs, programs };
}
