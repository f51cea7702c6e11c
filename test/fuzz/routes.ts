// The route table as the running app has it: every (path template, methods) pair of the Express
// router, control-plane routers included, so that a route added to the app is fuzzed without
// anyone listing it here.
import type { Express } from 'express';

export interface RouteTemplate {
  /** An Express 5 path: `/v3/domains/:domain/webhooks`, `/__mock/ui/{*file}`. */
  path: string;
  /** Upper-case methods the route answers (`GET` also takes `HEAD`). */
  methods: string[];
  /** Under /__mock: the control plane (no key, JSON). */
  control: boolean;
}

interface LayerLike {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  rawPath?: unknown;
  handle?: { stack?: LayerLike[] };
}

function walk(stack: LayerLike[], prefix: string, out: RouteTemplate[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths: unknown[] = Array.isArray(layer.route.path) ? layer.route.path.flat(Infinity) : [layer.route.path];
      const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m] && m !== '_all').map((m) => m.toUpperCase());
      for (const p of paths) {
        if (typeof p !== 'string') continue;
        const path = prefix + (p === '/' && prefix !== '' ? '' : p);
        out.push({ path, methods, control: path === '/__mock' || path.startsWith('/__mock/') });
      }
    } else if (layer.handle && Array.isArray(layer.handle.stack)) {
      // A mounted router (app.use('/__mock', router), router.use('/ui', router), router.use(router)).
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      walk(layer.handle.stack, prefix + mount, out);
    }
  }
}

/** Every route of the app, merged by path (methods of the same path together), in table order. */
export function deriveRoutes(app: Express): RouteTemplate[] {
  const stack = (app as unknown as { router: { stack: LayerLike[] } }).router.stack;
  const raw: RouteTemplate[] = [];
  walk(stack, '', raw);
  const byPath = new Map<string, RouteTemplate>();
  for (const r of raw) {
    const seen = byPath.get(r.path);
    if (seen) seen.methods = [...new Set([...seen.methods, ...r.methods])];
    else byPath.set(r.path, { ...r, methods: [...r.methods] });
  }
  return [...byPath.values()];
}

/** The parameter names of a template, in order: `:domain` → domain, `{*file}` → *file. */
export function templateParams(path: string): string[] {
  return path.split('/').flatMap((seg) => {
    if (seg.startsWith(':')) return [seg.slice(1)];
    const wild = /^\{\*(\w+)\}$/.exec(seg);
    return wild ? [`*${wild[1]}`] : [];
  });
}

/** Fills a template: each `:name` with its (already encoded) segment, each `{*name}` with one or more segments. */
export function fillTemplate(path: string, values: Record<string, string>): string {
  return path
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) return values[seg.slice(1)] ?? 'x';
      const wild = /^\{\*(\w+)\}$/.exec(seg);
      if (wild) return values[`*${wild[1]}`] ?? 'x';
      return seg;
    })
    .join('/');
}
