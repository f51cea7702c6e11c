// Checks of a data file's messages and events, field by field: a hand-edited or foreign file must
// stop the start with a message naming the field, not start a mock that answers 500s later.

type Refuse = (field: string, what: string) => Error;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isStringMap = (v: unknown): boolean => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

/** Every field of a stored message the mock reads. */
export function checkMessage(m: unknown, at: string, refuse: Refuse): void {
  if (!isObject(m)) throw refuse(at, 'a stored message (an object)');
  for (const k of ['id', 'domain', 'storageKey', 'apiBase', 'from', 'subject'] as const) {
    if (typeof m[k] !== 'string') throw refuse(`${at}/${k}`, 'a string');
  }
  if (m.api !== 'messages' && m.api !== 'messages.mime') throw refuse(`${at}/api`, '"messages" or "messages.mime"');
  for (const k of ['acceptedAt', 'size'] as const) if (typeof m[k] !== 'number' || !Number.isFinite(m[k])) throw refuse(`${at}/${k}`, 'a number');
  for (const k of ['to', 'cc', 'bcc', 'recipients', 'tags'] as const) if (!isStrings(m[k])) throw refuse(`${at}/${k}`, 'an array of strings');
  for (const k of ['text', 'html', 'ampHtml', 'template', 'mime'] as const) if (m[k] !== undefined && typeof m[k] !== 'string') throw refuse(`${at}/${k}`, 'a string when present');
  for (const k of ['headers', 'variables'] as const) if (!isStringMap(m[k])) throw refuse(`${at}/${k}`, 'an object of strings');
  if (!isObject(m.recipientVariables) || !Object.values(m.recipientVariables).every(isObject)) throw refuse(`${at}/recipientVariables`, 'an object of objects');
  if (!isObject(m.options) || !Object.values(m.options).every(isStrings)) throw refuse(`${at}/options`, 'an object of string arrays');
  if (typeof m.testMode !== 'boolean') throw refuse(`${at}/testMode`, 'true or false');
  const t = m.tracking;
  if (!isObject(t) || (t.opens !== undefined && typeof t.opens !== 'boolean') || (t.clicks !== undefined && typeof t.clicks !== 'boolean' && t.clicks !== 'htmlonly')) {
    throw refuse(`${at}/tracking`, 'an object with optional opens (boolean) and clicks (boolean or "htmlonly")');
  }
  if (m.deliveryTime !== undefined && (typeof m.deliveryTime !== 'number' || !Number.isFinite(m.deliveryTime))) throw refuse(`${at}/deliveryTime`, 'a number when present');
  if (!Array.isArray(m.attachments)) throw refuse(`${at}/attachments`, 'an array');
  m.attachments.forEach((a: unknown, j) => {
    const f = `${at}/attachments/${j}`;
    if (!isObject(a)) throw refuse(f, 'a file (an object)');
    if (a.field !== 'attachment' && a.field !== 'inline') throw refuse(`${f}/field`, '"attachment" or "inline"');
    for (const k of ['filename', 'contentType', 'content'] as const) if (typeof a[k] !== 'string') throw refuse(`${f}/${k}`, 'a string');
    if (a.contentId !== undefined && typeof a.contentId !== 'string') throw refuse(`${f}/contentId`, 'a string');
    if (typeof a.size !== 'number') throw refuse(`${f}/size`, 'a number');
  });
}

/** Every field of a stored event the mock reads. Returns its seq. */
export function checkEvent(e: unknown, at: string, refuse: Refuse): number {
  if (!isObject(e)) throw refuse(at, 'a stored event (an object)');
  if (typeof e.seq !== 'number' || !Number.isInteger(e.seq) || e.seq < 1) throw refuse(`${at}/seq`, 'a whole number of at least 1');
  if (typeof e.domain !== 'string') throw refuse(`${at}/domain`, 'a string');
  for (const k of ['messageId', 'recipient'] as const) if (e[k] !== undefined && typeof e[k] !== 'string') throw refuse(`${at}/${k}`, 'a string when present');
  const d = e.data;
  if (!isObject(d)) throw refuse(`${at}/data`, 'an object');
  for (const k of ['event', 'id', 'log-level'] as const) if (typeof d[k] !== 'string') throw refuse(`${at}/data/${k}`, 'a string');
  if (typeof d.timestamp !== 'number' || !Number.isFinite(d.timestamp)) throw refuse(`${at}/data/timestamp`, 'a number');
  return e.seq;
}
