// JSON from users, read safely: JSON.parse copes with any depth, but JSON.stringify and
// structuredClone (the data file, the control plane) overflow on a deep enough value.

/** How deep user JSON (variables, recipient-variables) may nest. */
export const MAX_JSON_DEPTH = 32;

/** One pass over the text, brackets inside strings skipped: whether it nests at most `max` deep. */
export function jsonDepthWithin(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return false;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return true;
}

/** A JSON object (not an array, null or scalar) nested at most `maxDepth` deep, or undefined. */
export function parseJsonObject(text: string, maxDepth = MAX_JSON_DEPTH): Record<string, unknown> | undefined {
  if (!jsonDepthWithin(text, maxDepth)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
