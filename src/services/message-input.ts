// Reads what `POST /v3/{domain}/messages` and `/messages.mime` were sent (form fields and file parts)
// into a MessageInput, or throws the 400 Mailgun answers. Pure: no req/res, no store, no clock of its own.
import { parseRfc2822 } from '../lib/dates.js';
import { parseJsonObject } from '../lib/json.js';
import { invalidAddressText, parseAddressList } from '../lib/addresses.js';
import { safeContentType } from '../lib/content-type.js';
import type { AddressObject, EmailAddress, ParsedMail } from 'mailparser';
import { errors } from '../errors.js';
import type { Fields } from '../lib/fields.js';
import type { MessageRecord, StoredFile } from '../store/types.js';

/** Everything of a MessageRecord except what the send's context assigns (id, domain, storage key, API base, time). */
export type MessageInput = Omit<MessageRecord, 'id' | 'domain' | 'storageKey' | 'apiBase' | 'acceptedAt'>;

/** A file part as the body parser hands it over (the shape of `UploadedFile` in src/http/request-info.ts). */
export interface MessageFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
}

export interface MessageParseOptions {
  /** The mock clock, epoch ms. */
  nowMs: number;
  /** Whether the body was `multipart/form-data`. */
  multipart: boolean;
  /** The body's media type, named in the content-type error (default `application/x-www-form-urlencoded`). */
  contentType?: string;
}

/**
 * Mailgun's 400 texts for sends. The address and missing-parameter texts quote the parameter name, as
 * Mailgun's answers do on the wire (SDK issues and client tests record `'from' parameter is missing`,
 * `'to' parameter is not a valid address. please check documentation`); the docs' error table drops the
 * quotes. `'subject' parameter is missing` is the mock's own wording: no Mailgun answer for it was found.
 */
export const MESSAGE_ERRORS = {
  missing: (param: 'from' | 'to' | 'subject' | 'message') => `'${param}' parameter is missing`,
  invalidAddress: invalidAddressText,
  messageNotFile: "'message' parameter is not a file",
  noBody: "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified",
  htmlAndTemplate: "Only one parameters 'html' or 'template' is allowed",
  optionsTooLarge: 'Send options (parameters starting with o:, h:, or v:) are limited to 16 kB total',
  tooManyRecipients: 'Too many recipients, max is 1000',
  headerNotAscii: (name: string) => `Header name must be pure ASCII: ${name}`,
  recipientVariables: "'recipient-variables' parameter is not a valid JSON",
  deliveryTime: 'invalid delivery time format',
  contentType: (got: string) => `Invalid request content type. Expecting 'multipart/form-data' but got '${got}'`,
} as const;


/** Recipients (To, Cc and Bcc together, each address once) a send may have. */
export const MAX_RECIPIENTS = 1000;
/** Tags kept per message: Mailgun documents "up to 3", each at most 128 characters. */
export const MAX_TAGS = 3;
export const MAX_TAG_LENGTH = 128;
/** Bytes of `o:`, `h:`, `v:` and `t:` names and values together (the current docs count `t:` too). */
export const MAX_SEND_OPTION_BYTES = 16 * 1024;
const bad = (message: string) => errors.badRequest(message);

// ---------------------------------------------------------------------------------------------------
// POST /v3/{domain}/messages

/**
 * The message a `/messages` send describes. Checks, in order: `from`, `to`, `subject` present (a
 * `template` may supply From and Subject); a body (`text`, `html`, `amp-html` or `template`); not both
 * `html` and `template`; every address valid (from, to, cc, bcc); at most 1000 recipients; send options
 * within 16 kB; `h:` names ASCII; `recipient-variables` a JSON object; `o:deliverytime` an RFC 2822 date.
 */
export function parseMessage(fields: Fields, files: MessageFile[], _opts: MessageParseOptions): MessageInput {
  const template = nonBlank(first(fields, 'template'));
  const fromRaw = first(fields, 'from');
  if (isBlank(fromRaw) && template === undefined) throw bad(MESSAGE_ERRORS.missing('from'));
  const toValues = all(fields, 'to');
  if (toValues.every(isBlank)) throw bad(MESSAGE_ERRORS.missing('to'));
  const subject = first(fields, 'subject');
  // Only an absent subject is missing: an empty Subject is a valid email.
  if (subject === undefined && template === undefined) throw bad(MESSAGE_ERRORS.missing('subject'));

  const text = nonBlank(first(fields, 'text'));
  const html = nonBlank(first(fields, 'html'));
  const ampHtml = nonBlank(first(fields, 'amp-html'));
  if (text === undefined && html === undefined && ampHtml === undefined && template === undefined) throw bad(MESSAGE_ERRORS.noBody);
  if (html !== undefined && template !== undefined) throw bad(MESSAGE_ERRORS.htmlAndTemplate);

  let from = '';
  if (!isBlank(fromRaw)) {
    const senders = parseAddressList([fromRaw as string], 'from');
    // One sender: a From with several mailboxes would need a Sender header Mailgun does not take.
    if (senders.length !== 1) throw bad(MESSAGE_ERRORS.invalidAddress('from'));
    from = senders[0]!.raw;
  }
  const to = parseAddressList(toValues, 'to');
  if (to.length === 0) throw bad(MESSAGE_ERRORS.invalidAddress('to'));
  const cc = parseAddressList(all(fields, 'cc'), 'cc');
  const bcc = parseAddressList(all(fields, 'bcc'), 'bcc');
  const recipients = uniqueRecipients([to, cc, bcc]);

  const send = readSendOptions(fields);
  const input: MessageInput = {
    api: 'messages',
    from,
    to: to.map((a) => a.raw),
    cc: cc.map((a) => a.raw),
    bcc: bcc.map((a) => a.raw),
    recipients,
    subject: subject ?? '',
    ...send,
    attachments: formFiles(files),
    size: requestSize(fields, files),
  };
  if (text !== undefined) input.text = text;
  if (html !== undefined) input.html = html;
  if (ampHtml !== undefined) input.ampHtml = ampHtml;
  if (template !== undefined) input.template = template;
  return finish(input, send.deliveryTime);
}

/** Only `attachment` and `inline` parts with a filename: Mailgun silently drops nameless attachments. */
function formFiles(files: MessageFile[]): StoredFile[] {
  const out: StoredFile[] = [];
  for (const f of asFiles(files)) {
    if ((f.field === 'attachment' || f.field === 'inline') && f.filename !== '') {
      out.push({ field: f.field, filename: f.filename, contentType: safeContentType(f.contentType), size: f.content.length, content: f.content.toString('base64') });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// POST /v3/{domain}/messages.mime

/**
 * The message a `/messages.mime` send describes. Checks, in order: a multipart body; `to` present; a
 * `message` file part (a plain `message` field is "not a file"); `to` addresses valid; at most 1000
 * recipients; then the send options as `/messages` does. Recipients come from the `to` field only; From,
 * To, Cc, Subject, bodies, attachments and headers come from the MIME. Sending options may also ride in
 * the MIME as `X-Mailgun-*` headers (as over SMTP); form fields win over them.
 */
export async function parseMimeMessage(fields: Fields, files: MessageFile[], opts: MessageParseOptions): Promise<MessageInput> {
  if (!opts.multipart) throw bad(MESSAGE_ERRORS.contentType(opts.contentType || 'application/x-www-form-urlencoded'));
  const toValues = all(fields, 'to');
  if (toValues.every(isBlank)) throw bad(MESSAGE_ERRORS.missing('to'));
  // mailgun.js (since its fix for mailgun.js#287) sends a MIME given as a string as a plain field,
  // and a Buffer as a file: both are the message. Only a blank plain field is "not a file".
  const field = first(fields, 'message');
  const mimeFile =
    asFiles(files).find((f) => f.field === 'message') ??
    (field !== undefined && !isBlank(field) ? { field: 'message', filename: '', contentType: 'message/rfc822', size: Buffer.byteLength(field), content: Buffer.from(field, 'utf8') } : undefined);
  if (!mimeFile) throw bad(Object.hasOwn(fields, 'message') ? MESSAGE_ERRORS.messageNotFile : MESSAGE_ERRORS.missing('message'));
  const to = parseAddressList(toValues, 'to');
  if (to.length === 0) throw bad(MESSAGE_ERRORS.invalidAddress('to'));
  const recipients = uniqueRecipients([to]);

  const parsed = await parseMime(mimeFile.content);
  const mimeHeaders = parsed ? headerValues(parsed) : new Map<string, Array<{ name: string; value: string }>>();
  const send = readSendOptions(fields, mimeHeaders);

  const headers = Object.create(null) as Record<string, string>;
  for (const list of mimeHeaders.values()) {
    const h = list[0]!;
    setOwn(headers, h.name, h.value);
  }
  // The form's h: fields come on top of the MIME's own headers.
  for (const [name, value] of Object.entries(send.headers)) setOwn(headers, name, value);

  const input: MessageInput = {
    api: 'messages.mime',
    from: parsed ? addressTexts(parsed.from).join(', ') : '',
    to: parsed ? addressTexts(parsed.to) : [],
    cc: parsed ? addressTexts(parsed.cc) : [],
    bcc: parsed ? addressTexts(parsed.bcc) : [],
    recipients,
    subject: parsed?.subject ?? '',
    ...send,
    headers: plain(headers),
    attachments: parsed ? mimeFiles(parsed) : [],
    mime: mimeFile.content.toString('base64'),
    size: requestSize(fields, files),
  };
  if (parsed && typeof parsed.text === 'string' && parsed.text !== '') input.text = parsed.text;
  if (parsed && typeof parsed.html === 'string' && parsed.html !== '') input.html = parsed.html;
  return finish(input, send.deliveryTime);
}

let mailparser: Promise<typeof import('mailparser')> | undefined;

/** mailparser's reading of the MIME, or undefined when it cannot read it (Mailgun takes the bytes as they are). */
async function parseMime(content: Buffer): Promise<ParsedMail | undefined> {
  // Loaded on the first MIME send: mailparser (and its charset tables) is the heaviest import the
  // mock has, and most runs never need it (CLI cold start, docs/performance.md).
  const { simpleParser } = await (mailparser ??= import('mailparser'));
  try {
    // The skips keep the parsed parts as sent: no text made from HTML, no HTML made from text, cid: links kept.
    return await simpleParser(content, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  } catch {
    return undefined;
  }
}

/** The MIME's top-level headers by lower-cased name, each occurrence unfolded and RFC 2047-decoded, names as written. */
function headerValues(parsed: ParsedMail): Map<string, Array<{ name: string; value: string }>> {
  const out = new Map<string, Array<{ name: string; value: string }>>();
  for (const { line } of parsed.headerLines ?? []) {
    if (typeof line !== 'string') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === '') continue;
    const value = decodeWords(line.slice(colon + 1).replace(/\r?\n[ \t]/g, ' ').trim());
    const key = name.toLowerCase();
    const list = out.get(key);
    if (list) list.push({ name, value });
    else out.set(key, [{ name, value }]);
  }
  return out;
}

function mimeFiles(parsed: ParsedMail): StoredFile[] {
  return (parsed.attachments ?? []).map((a) => ({
    field: a.contentDisposition === 'inline' || (a.contentDisposition === undefined && a.related) ? 'inline' : 'attachment',
    filename: a.filename ?? '',
    contentType: safeContentType(a.contentType),
    size: a.content.length,
    content: a.content.toString('base64'),
    ...(a.contentId ? { contentId: a.contentId.trim().replace(/^<|>$/g, '') } : {}),
  }));
}

/** `Name <address>` (or the bare address) for each mailbox of an address header, groups flattened. */
function addressTexts(header: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  const visit = (entries: EmailAddress[]) => {
    for (const e of entries) {
      if (e.group) visit(e.group);
      else if (e.address) out.push(formatAddress(e.name, e.address));
    }
  };
  for (const h of header === undefined ? [] : Array.isArray(header) ? header : [header]) visit(h.value ?? []);
  return out;
}

function formatAddress(name: string | undefined, address: string): string {
  if (!name) return address;
  return /[()<>[\]:;@\\,."]/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}" <${address}>` : `${name} <${address}>`;
}

// ---------------------------------------------------------------------------------------------------
// Send options: o:, h:, v:, t:, recipient-variables (and their X-Mailgun-* header forms inside a MIME)

type SendOptions = Pick<MessageInput, 'headers' | 'variables' | 'recipientVariables' | 'options' | 'tags' | 'testMode' | 'tracking'> & {
  deliveryTime: number | undefined;
};

type MimeHeaders = Map<string, Array<{ name: string; value: string }>>;

function readSendOptions(fields: Fields, mime: MimeHeaders = new Map()): SendOptions {
  const names = Object.keys(fields);
  // Counted before anything is built, so a flood of options costs one pass and no allocations.
  let bytes = 0;
  for (const name of names) {
    if (!isSendOption(name)) continue;
    bytes += Buffer.byteLength(name);
    for (const v of all(fields, name)) {
      bytes += Buffer.byteLength(v);
      if (bytes > MAX_SEND_OPTION_BYTES) throw bad(MESSAGE_ERRORS.optionsTooLarge);
    }
    if (bytes > MAX_SEND_OPTION_BYTES) throw bad(MESSAGE_ERRORS.optionsTooLarge);
  }

  const headers = Object.create(null) as Record<string, string>;
  const variables = Object.create(null) as Record<string, string>;
  const options = Object.create(null) as Record<string, string[]>;
  for (const name of names) {
    if (name.startsWith('h:')) {
      const header = name.slice(2);
      if (header === '') continue;
      if (!isAscii(header)) throw bad(MESSAGE_ERRORS.headerNotAscii(header));
      const value = first(fields, name);
      if (value !== undefined && !Object.hasOwn(headers, header)) setOwn(headers, header, value);
    } else if (name.startsWith('o:') || name.startsWith('t:')) {
      setOwn(options, name, [...all(fields, name)]);
    }
  }

  // Custom variables: the MIME's X-Mailgun-Variables, then an h:X-Mailgun-Variables field, then v: fields.
  for (const json of [mimeFirst(mime, 'x-mailgun-variables'), headerField(headers, 'x-mailgun-variables')]) {
    const obj = json === undefined ? undefined : parseJsonObject(json);
    if (!obj) continue;
    for (const [k, v] of Object.entries(obj)) setOwn(variables, k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  for (const name of names) {
    if (!name.startsWith('v:') || name.length === 2) continue;
    const value = first(fields, name);
    if (value !== undefined) setOwn(variables, name.slice(2), value);
  }

  const recipientVariables = Object.create(null) as Record<string, Record<string, unknown>>;
  const rvField = nonBlank(first(fields, 'recipient-variables'));
  let rv: Record<string, unknown> | undefined;
  if (rvField !== undefined) {
    rv = parseJsonObject(rvField);
    if (!rv) throw bad(MESSAGE_ERRORS.recipientVariables);
  } else {
    const fromMime = mimeFirst(mime, 'x-mailgun-recipient-variables');
    rv = fromMime === undefined ? undefined : parseJsonObject(fromMime);
  }
  for (const [address, vars] of Object.entries(rv ?? {})) {
    // Per-address values that are not objects carry nothing a %recipient.x% could read: left out.
    if (isPlainObject(vars)) setOwn(recipientVariables, address, vars);
  }

  let deliveryTime: number | undefined;
  const dt = nonBlank(first(fields, 'o:deliverytime'));
  if (dt !== undefined) {
    deliveryTime = parseRfc2822Date(dt);
    if (deliveryTime === undefined) throw bad(MESSAGE_ERRORS.deliveryTime);
  } else {
    const deliverBy = mimeFirst(mime, 'x-mailgun-deliver-by');
    deliveryTime = deliverBy === undefined ? undefined : parseRfc2822Date(deliverBy);
  }

  const tags = pickTags([...all(fields, 'o:tag'), ...(mime.get('x-mailgun-tag') ?? []).map((h) => h.value)]);
  const testMode = yesNo(first(fields, 'o:testmode')) ?? yesNo(mimeFirst(mime, 'x-mailgun-drop-message')) ?? false;

  const tracking: SendOptions['tracking'] = {};
  const trackAll = yesNo(first(fields, 'o:tracking')) ?? yesNo(mimeFirst(mime, 'x-mailgun-track'));
  const opens = yesNo(first(fields, 'o:tracking-opens')) ?? yesNo(mimeFirst(mime, 'x-mailgun-track-opens')) ?? trackAll;
  const clicks = clicksValue(first(fields, 'o:tracking-clicks')) ?? clicksValue(mimeFirst(mime, 'x-mailgun-track-clicks')) ?? trackAll;
  if (opens !== undefined) tracking.opens = opens;
  if (clicks !== undefined) tracking.clicks = clicks;

  return {
    headers: plain(headers),
    variables: plain(variables),
    recipientVariables: plain(recipientVariables),
    options: plain(options),
    tags,
    testMode,
    tracking,
    deliveryTime,
  };
}

function isSendOption(name: string): boolean {
  return name.startsWith('o:') || name.startsWith('h:') || name.startsWith('v:') || name.startsWith('t:');
}

/** The first MIME header value of that (lower-case) name. */
function mimeFirst(mime: MimeHeaders, key: string): string | undefined {
  return mime.get(key)?.[0]?.value;
}

/** An `h:` header's value, its name matched without regard to case. */
function headerField(headers: Record<string, string>, lowerName: string): string | undefined {
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === lowerName) return value;
  return undefined;
}

/** The first three distinct tags (compared without case, as Mailgun's tags are), each cut to 128 characters. */
function pickTags(given: string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of given) {
    if (out.length === MAX_TAGS) break;
    if (raw.trim() === '') continue;
    const tag = raw.length > MAX_TAG_LENGTH ? Array.from(raw).slice(0, MAX_TAG_LENGTH).join('') : raw;
    const key = tag.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(tag);
  }
  return out;
}

/** `yes`/`true` and `no`/`false` (any case); anything else is no answer. */
function yesNo(value: string | undefined): boolean | undefined {
  const v = value?.trim().toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  return undefined;
}

function clicksValue(value: string | undefined): boolean | 'htmlonly' | undefined {
  return value?.trim().toLowerCase() === 'htmlonly' ? 'htmlonly' : yesNo(value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An RFC 2822 date-time as RFC 2822 writes it (four-digit year, a zone) as epoch ms, or undefined. */
export function parseRfc2822Date(value: string): number | undefined {
  return parseRfc2822(value, { strict: true });
}

/** Every address once, lower-cased, in order of appearance; more than 1000 is Mailgun's 400. */
function uniqueRecipients(lists: Array<Array<{ address: string }>>): string[] {
  const seen = new Set<string>();
  for (const list of lists) {
    for (const { address } of list) {
      seen.add(address.toLowerCase());
      if (seen.size > MAX_RECIPIENTS) throw bad(MESSAGE_ERRORS.tooManyRecipients);
    }
  }
  return [...seen];
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

function finish(input: MessageInput, deliveryTime: number | undefined): MessageInput {
  const out = input as MessageInput & { deliveryTime?: number };
  if (deliveryTime === undefined) delete out.deliveryTime;
  else out.deliveryTime = deliveryTime;
  return out;
}

/** Every string value of a field (the HTTP layer gives arrays of strings; anything else is ignored). */
function all(fields: Fields, name: string): string[] {
  if (typeof fields !== 'object' || fields === null || !Object.hasOwn(fields, name)) return [];
  const v: unknown = fields[name];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return [];
  return v.every((x) => typeof x === 'string') ? (v as string[]) : v.filter((x): x is string => typeof x === 'string');
}

/** The first value, as Go's FormValue (and so Mailgun) reads a single-valued field. */
function first(fields: Fields, name: string): string | undefined {
  return all(fields, name)[0];
}

function isBlank(v: string | undefined): boolean {
  return v === undefined || v.trim() === '';
}

function nonBlank(v: string | undefined): string | undefined {
  return isBlank(v) ? undefined : v;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function asFiles(files: MessageFile[]): MessageFile[] {
  if (!Array.isArray(files)) return [];
  return files.filter((f) => typeof f === 'object' && f !== null && typeof f.field === 'string' && Buffer.isBuffer(f.content)).map((f) => ({
    ...f,
    filename: typeof f.filename === 'string' ? f.filename : '',
    contentType: typeof f.contentType === 'string' ? f.contentType : '',
  }));
}

/** Bytes of every field name and value and every file: what the send carried. */
function requestSize(fields: Fields, files: MessageFile[]): number {
  let size = 0;
  if (typeof fields === 'object' && fields !== null) {
    for (const name of Object.keys(fields)) {
      size += Buffer.byteLength(name);
      for (const v of all(fields, name)) size += Buffer.byteLength(v);
    }
  }
  for (const f of asFiles(files)) size += f.content.length;
  return size;
}

/** Sets an own property whatever its name (`__proto__` included). */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A plain object with the same own properties: state is plain JSON-like data. */
function plain<T>(obj: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(obj)) setOwn(out, k, v);
  return out;
}

// RFC 2047 encoded words (`=?UTF-8?Q?...?=`), which mailparser decodes only in the headers it knows.
const ENCODED_WORD = /=\?([^?\s]{1,64})\?([BbQq])\?([^?\s]*)\?=/g;

function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2).
  const joined = value.replace(/\?=[ \t]+(?==\?)/g, '?=');
  return joined.replace(ENCODED_WORD, (word: string, charset: string, encoding: string, text: string) => {
    try {
      const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text);
      return new TextDecoder(charset.split('*')[0]).decode(bytes);
    } catch {
      return word;
    }
  });
}

function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const hex = c === '=' ? text.slice(i + 1, i + 3) : '';
    if (hex.length === 2 && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === '_') bytes.push(0x20);
    else bytes.push(...Buffer.from(c));
  }
  return Buffer.from(bytes);
}
