// Shared test helpers: a mock per suite and the Authorization header the SDKs send.
import { createMailgunMock, type MailgunMock, type MailgunMockOptions } from '../src/index.js';

export const DOMAIN = 'samples.mailgun.org';
export const API_KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';

/** `Authorization: Basic base64(api:<key>)`. */
export function basic(key = API_KEY, user = 'api'): string {
  return 'Basic ' + Buffer.from(`${user}:${key}`).toString('base64');
}

/** A mock that is not listening (use `request(mock.app)`), quiet, with the default fixtures. */
export function createTestMock(options: MailgunMockOptions = {}): Promise<MailgunMock> {
  return createMailgunMock({ logLevel: 'silent', ...options });
}

/** What mailgun.js rejects with on a non-2xx answer. */
export interface APIError {
  type: string;
  status: number;
  details: string;
  message: string;
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (err) {
    return err as APIError;
  }
  throw new Error('expected the call to fail');
}

/**
 * A URL whose connection is refused: port 1 (tcpmux) is far below the ephemeral range (32768+),
 * where every test server's port 0 lands, so no test can be listening there, unlike a port just
 * closed, which another test's server may take a moment later.
 */
export function refusingUrl(path = '/gone'): string {
  return `http://127.0.0.1:1${path}`;
}
