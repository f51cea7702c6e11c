// Talking to the mock: the control plane (/__mock/…, JSON, no key) and the Mailgun API itself
// (Basic auth, form bodies), exactly as an SDK would. With one account per API key, the key chosen
// in the dashboard picks the account for both.

export interface UiConfig {
  version: string;
  account: string;
  authMode: 'any' | 'keys';
  accountPerKey: boolean;
  region: 'us' | 'eu';
  storage: 'memory' | 'file';
}

const KEY_STORE = 'mailgun-mock.dashboard.key';
/** The key the dashboard uses when the mock accepts any key. */
const ANY_KEY = 'dashboard';

let config: UiConfig | undefined;

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function loadConfig(): Promise<UiConfig> {
  config = (await control<UiConfig>('/ui/config'));
  return config;
}

export function currentConfig(): UiConfig {
  if (!config) throw new Error('config not loaded');
  return config;
}

/** The key chosen in the dashboard, if any. */
export function chosenKey(): string | null {
  return sessionStorage.getItem(KEY_STORE);
}

export function chooseKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORE, key);
  else sessionStorage.removeItem(KEY_STORE);
}

/** Whether the Mailgun API pages can work: a key is needed unless any key is accepted (and keys do not pick accounts). */
export function needsKey(): boolean {
  const c = currentConfig();
  return (c.authMode === 'keys' || c.accountPerKey) && !chosenKey();
}

function accountHeaders(): Record<string, string> {
  const c = config;
  const key = chosenKey();
  return c?.accountPerKey && key ? { 'X-Mailgun-Mock-Account': key } : {};
}

/** `?account=<key>` for URLs the browser opens itself (links, frames, the event stream). */
export function accountQuery(prefix = '?'): string {
  const key = chosenKey();
  return config?.accountPerKey && key ? `${prefix}account=${encodeURIComponent(key)}` : '';
}

async function readError(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    for (const k of ['message', 'Message', 'Description', 'Reason', 'error']) if (typeof body[k] === 'string') return body[k] as string;
    return text;
  } catch {
    return text || res.statusText;
  }
}

/** A control-plane call: `/__mock` + path. JSON in, JSON out; throws ApiError on a non-2xx answer. */
export async function control<T>(path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...accountHeaders() };
  if (init.json !== undefined) headers['Content-Type'] = 'application/json';
  // credentials 'omit': a 401 with WWW-Authenticate must come back as an answer, not a browser login prompt.
  const res = await fetch(`/__mock${path}`, { method: init.method ?? 'GET', headers, credentials: 'omit', body: init.json === undefined ? undefined : JSON.stringify(init.json) });
  if (!res.ok) throw new ApiError(res.status, await readError(res));
  return (await res.json()) as T;
}

/** A Mailgun API call with the dashboard's key; `form` goes as application/x-www-form-urlencoded (repeated names for arrays). */
export async function mailgun<T>(path: string, init: { method?: string; form?: Record<string, string | string[]> } = {}): Promise<T> {
  const key = chosenKey() ?? ANY_KEY;
  // The client header keeps the dashboard's calls out of armed faults and the rate-limit budget.
  const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Basic ${btoa(`api:${key}`)}`, 'X-Mailgun-Mock-Client': 'dashboard' };
  let body: URLSearchParams | undefined;
  if (init.form) {
    body = new URLSearchParams();
    for (const [name, value] of Object.entries(init.form)) for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body, credentials: 'omit' });
  if (!res.ok) throw new ApiError(res.status, `${res.status}: ${await readError(res)}`);
  return (await res.json()) as T;
}
