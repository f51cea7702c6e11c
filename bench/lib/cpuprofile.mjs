// Reads a V8 .cpuprofile and says where a server's time went, per request: self time by area and
// function, and time by *owner*: each sample goes to the innermost src/ function on its stack
// (a middleware, a handler, sendJson…), with what it calls in Node and Express; samples under
// Express's router dispatch go to the library function the router called (body-parser's…), or to
// "router dispatch" when the router itself was running. So a middleware's
// own cost is counted without what runs after it through next().
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function where(cf) {
  const u = cf.url.replace('file://', '').replace(ROOT, '');
  if (!u) return cf.functionName.startsWith('(') ? cf.functionName : '(native)';
  if (u.startsWith('dist/')) return u.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (m) return `npm:${m[1]}`;
  if (/bench\/results\/scratch\/[^/]+\/dist\//.test(u)) return u.replace(/^.*\/dist\//, 'src/').replace(/\.js$/, '.ts');
  return u;
}

const label = (cf) => `${cf.functionName || '(anonymous)'} ${where(cf)}:${cf.lineNumber + 1}`;

/** @returns {{ busyUs: number, totalUs: number, area: Map, self: Map, owner: Map }} sample µs per key */
export function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const dt = new Map();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const add = (m, k, t) => m.set(k, (m.get(k) ?? 0) + t);
  const area = new Map();
  const self = new Map();
  const owner = new Map();
  let totalUs = 0;
  for (const [id, t] of dt) {
    totalUs += t;
    const cf = byId.get(id).callFrame;
    add(area, where(cf), t);
    add(self, label(cf), t);
    // Leaf to root: the first src/ frame owns the sample; reaching the router first, the function
    // the router called (a library middleware such as body-parser's) owns it, else the router itself.
    let who = undefined;
    let below = undefined;
    for (let cur = id; cur !== undefined && who === undefined; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame;
      const w = where(f);
      if (w.startsWith('src/') || w.startsWith('bench/lib/')) who = label(f);
      else if (w === 'npm:router') who = below ? `${label(below)} (called by the router)` : 'router dispatch (npm:router)';
      below = f;
    }
    const w = where(cf);
    add(owner, who ?? (w.startsWith('(') ? w : `other: ${w}`), t);
  }
  return { totalUs, busyUs: totalUs - (area.get('(idle)') ?? 0), area, self, owner };
}

/** Prints the top entries of each table, in µs per request and % of busy time. */
export function printSummary(s, requests, top = 20, log = console.log) {
  log(`busy (not idle) ${(s.busyUs / requests).toFixed(1)} µs per request over ${requests} requests`);
  const show = (title, m) => {
    log(`\n${title}`);
    for (const [k, t] of [...m].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) {
      log(`${(t / requests).toFixed(2).padStart(8)} µs/req ${((100 * t) / s.busyUs).toFixed(1).padStart(5)}%  ${k}`);
    }
  };
  show('by owner (innermost src/ function on the stack, callees included, next() excluded)', s.owner);
  show('self time by area', s.area);
  show('self time by function', s.self);
}
