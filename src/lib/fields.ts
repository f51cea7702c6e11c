// Form fields as Mailgun reads them: every name may repeat (`url=a&url=b`), so each holds a list.
// Objects have no prototype, so a field named `__proto__` is only a field.

export type Fields = Record<string, string[]>;

export function emptyFields(): Fields {
  return Object.create(null) as Fields;
}

export function addField(fields: Fields, name: string, value: string): void {
  const list = fields[name];
  if (list) list.push(value);
  else fields[name] = [value];
}

/** From the shape `querystring.parse` gives (a string, or an array for a repeated name). */
export function fieldsFromParsed(parsed: unknown): Fields {
  const fields = emptyFields();
  if (typeof parsed !== 'object' || parsed === null) return fields;
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    for (const v of Array.isArray(value) ? value : [value]) addField(fields, name, typeof v === 'string' ? v : String(v));
  }
  return fields;
}

export function fieldsFromSearchParams(params: URLSearchParams): Fields {
  const fields = emptyFields();
  for (const [name, value] of params) addField(fields, name, value);
  return fields;
}

/** The first value, as Go's `FormValue` (and so Mailgun) reads a single-valued field. */
export function firstField(fields: Fields, name: string): string | undefined {
  return fields[name]?.[0];
}

/** Every value of a field, in order. */
export function allFields(fields: Fields, name: string): string[] {
  return fields[name] ?? [];
}

/** For the journal: one value as a string, several as an array. */
export function flattenFields(fields: Fields): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(fields)) {
    Object.defineProperty(out, name, { value: values.length === 1 ? values[0] : [...values], enumerable: true, writable: true, configurable: true });
  }
  return out;
}
