// A content type that can go out in a header: files keep what the sender wrote, which may be
// anything (a MIME part's `Content-Type: application/x-€uro`), and Node refuses such a header value.

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=("[^"\\x00-\\x1f\\x7f]*"|${TOKEN}))*$`);

/** `value` when it is a well-formed media type, else `application/octet-stream`. */
export function safeContentType(value: string | undefined): string {
  const v = (value ?? '').trim();
  return v.length > 0 && v.length <= 255 && MEDIA_TYPE.test(v) ? v : 'application/octet-stream';
}
