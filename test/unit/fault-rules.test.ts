// Fault rules as data: reading specs, checking rules, and the registry that matches and fires them.
import { describe, expect, it } from 'vitest';
import { createFaultRegistry } from '../../src/faults/registry.js';
import { FAULT_PRESETS, FaultRuleError, parseFaultSpec, validateFaultRule, type FaultRuleInput } from '../../src/index.js';

/** The message a refused spec or rule gives (fails the test when it is accepted). */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FaultRuleError);
    return (err as Error).message;
  }
  throw new Error('expected a FaultRuleError, but the rule was accepted');
}

describe('parseFaultSpec reads every accepted form', () => {
  it.each<[string, FaultRuleInput]>([
    // bare words
    ['rate-limited', { preset: 'rate-limited' }],
    ['unavailable', { preset: 'unavailable' }],
    ['503', { status: 503 }],
    ['drop', { drop: true }],
    // key=value pairs
    ['preset=unavailable,route=webhooks.list', { preset: 'unavailable', route: 'webhooks.list' }],
    ['route=webhooks.create,status=503,times=2', { route: 'webhooks.create', status: 503, times: 2 }],
    ['status=500,message=Try again later', { status: 500, message: 'Try again later' }],
    ['status=418,body=short and stout', { status: 418, body: 'short and stout' }],
    ['method=post,domain=Samples.Mailgun.org,webhook=clicked,preset=bad-request', { method: 'POST', domain: 'Samples.Mailgun.org', webhook: 'clicked', preset: 'bad-request' }],
    ['drop=true,route=webhooks.*', { drop: true, route: 'webhooks.*' }],
    ['delayMs=250', { delayMs: 250 }],
    ['probability=0.25,preset=server-error', { probability: 0.25, preset: 'server-error' }],
    // aliases
    ['delay=200', { delayMs: 200 }],
    ['p=0.5,500', { probability: 0.5, status: 500 }],
    ['id=delivered,404', { webhook: 'delivered', status: 404 }],
    // a bare word mixed with pairs, spaces and stray commas
    [' rate-limited , route = webhooks.get ,, times = 3 ', { preset: 'rate-limited', route: 'webhooks.get', times: 3 }],
    ['delay=50,unavailable', { delayMs: 50, preset: 'unavailable' }],
    // JSON
    ['{"status":503,"times":2}', { status: 503, times: 2 }],
    ['{"preset":"rate-limited","headers":{"X-Extra":"1"},"route":"webhooks.*"}', { preset: 'rate-limited', headers: { 'X-Extra': '1' }, route: 'webhooks.*' }],
    ['{"status":500,"body":{"error":"boom"}}', { status: 500, body: { error: 'boom' } }],
  ])('%s', (spec, rule) => {
    expect(parseFaultSpec(spec)).toEqual(rule);
  });

  it('accepts every preset as a bare word and as preset=', () => {
    for (const preset of FAULT_PRESETS) {
      expect(parseFaultSpec(preset)).toEqual({ preset });
      expect(parseFaultSpec(`preset=${preset}`)).toEqual({ preset });
    }
  });
});

describe('parseFaultSpec refuses with a message that says what is wrong', () => {
  it.each<[string, RegExp]>([
    ['', /empty fault spec/],
    ['   ', /empty fault spec/],
    ['colour=red,503', /unknown fault rule field 'colour'/],
    ['constructor=x,503', /unknown fault rule field 'constructor'/],
    ['__proto__=x,503', /unknown fault rule field '__proto__'/],
    ['toString=x,503', /unknown fault rule field 'toString'/],
    ['preset=on-fire', /unknown preset 'on-fire' \(known: rate-limited, /],
    ['on-fire', /cannot read 'on-fire'.*expected key=value, a preset, a status or 'drop'/],
    ['status=200', /'status' must be an integer from 400 to 599/],
    ['status=600', /'status' must be an integer from 400 to 599/],
    ['399', /'status' must be an integer from 400 to 599/],
    ['status=5xx', /'status' must be a number/],
    ['status=', /'status' must be a number/],
    ['delay=-5', /'delayMs' must be a number of milliseconds from 0 to 600000/],
    ['delay=600001', /'delayMs' must be a number of milliseconds/],
    ['delay=soon', /'delay' must be a number/],
    ['p=1.5,503', /'probability' must be a number from 0 to 1/],
    ['probability=-0.1,503', /'probability' must be a number from 0 to 1/],
    ['times=0,503', /'times' must be a whole number of at least 1/],
    ['times=1.5,503', /'times' must be a whole number of at least 1/],
    ['drop=yes', /'drop' must be true or false/],
    ['status=500,status=502', /'status' given twice/],
    ['delay=10,delayMs=20', /'delayMs' given twice/],
    ['preset=unavailable,status=500', /give only one of 'preset', 'status' and 'drop'/],
    ['rate-limited,drop', /give only one of 'preset', 'status' and 'drop'/],
    ['503,drop', /give only one of/],
    ['route=webhooks.list', /needs one of 'preset', 'status', 'drop' or 'delayMs'/],
    ['times=2', /needs one of/],
    ['message=Try again', /needs one of 'preset', 'status', 'drop' or 'delayMs'/],
    ['delay=10,message=slow', /'message' and 'body' need a 'preset' or 'status'/],
    ['drop,body=gone', /'message' and 'body' need a 'preset' or 'status'/],
    ['route=,503', /'route' must be a non-empty string/],
    ['headers=X-A:1,503', /'headers' must be an object of strings/],
    ['{"status":503', /fault spec is not valid JSON/],
    ['{"status":"503"}', /'status' must be an integer from 400 to 599/],
    ['{"preset":"unavailable","retries":3}', /unknown fault rule field 'retries'/],
  ])('%j', (spec, message) => {
    expect(refusal(() => parseFaultSpec(spec))).toMatch(message);
  });

  it('lists the known fields when a field is unknown', () => {
    expect(refusal(() => parseFaultSpec('colour=red'))).toContain('(known: route, method, domain, webhook, preset, status, message, body, headers, delayMs, drop, times, probability)');
  });
});

describe('validateFaultRule', () => {
  it('returns a clean copy: method upper-cased, drop=false left out, headers copied', () => {
    const headers = { 'X-Extra': '1' };
    const rule = validateFaultRule({ method: 'delete', status: 503, drop: false, headers });
    expect(rule).toEqual({ method: 'DELETE', status: 503, headers: { 'X-Extra': '1' } });
    expect(rule.headers).not.toBe(headers);
  });

  it('accepts a delay alone (it slows the real answer down)', () => {
    expect(validateFaultRule({ delayMs: 0 })).toEqual({ delayMs: 0 });
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'rate-limited', /a fault rule must be an object/],
    ['null', null, /a fault rule must be an object/],
    ['an array', [{ status: 503 }], /a fault rule must be an object/],
    ['an own __proto__ key', JSON.parse('{"__proto__":{"status":503}}'), /unknown fault rule field '__proto__'/],
    ['a fractional status', { status: 500.5 }, /'status' must be an integer/],
    ['an infinite delay', { delayMs: Infinity }, /'delayMs' must be a number/],
    ['a NaN probability', { status: 503, probability: NaN }, /'probability' must be a number from 0 to 1/],
    ['a body that is an array', { status: 503, body: [1] }, /'body' must be an object or a string/],
    ['a header that is not a string', { status: 503, headers: { 'Retry-After': 5 } }, /'headers' must be an object of strings/],
    ['drop as a string', { drop: 'true' }, /'drop' must be true or false/],
    ['an empty domain', { status: 503, domain: '' }, /'domain' must be a non-empty string/],
    ['a body without a status', { delayMs: 10, body: { message: 'x' } }, /'message' and 'body' need a 'preset' or 'status'/],
    ['a message and nothing else', { message: 'x' }, /needs one of 'preset', 'status', 'drop' or 'delayMs'/],
    ['nothing to answer', {}, /needs one of 'preset', 'status', 'drop' or 'delayMs'/],
  ])('refuses %s', (_name, input, message) => {
    expect(refusal(() => validateFaultRule(input))).toMatch(message);
  });
});

describe('the registry matches rules against a request', () => {
  const list = { routeId: 'webhooks.list', method: 'GET', domain: 'samples.mailgun.org' };
  const createClicked = { routeId: 'webhooks.create', method: 'POST', domain: 'samples.mailgun.org', webhook: 'clicked' };
  const deleteOpen = { routeId: 'webhooks.delete', method: 'DELETE', domain: 'other.example.com', webhook: 'open' };

  it.each<[string, FaultRuleInput, [boolean, boolean, boolean]]>([
    //                                                         list   create  delete
    ['no conditions (every route)', { status: 503 }, [true, true, true]],
    ['route *', { route: '*', status: 503 }, [true, true, true]],
    ['an exact route id', { route: 'webhooks.create', status: 503 }, [false, true, false]],
    ['a prefix glob', { route: 'webhooks.*', status: 503 }, [true, true, true]],
    ['a glob of another area', { route: 'messages.*', status: 503 }, [false, false, false]],
    ['a route id prefix without a glob', { route: 'webhooks', status: 503 }, [false, false, false]],
    ['a method', { method: 'delete', status: 503 }, [false, false, true]],
    ['a domain, case-insensitively', { domain: 'SAMPLES.Mailgun.ORG', status: 503 }, [true, true, false]],
    ['a webhook name', { webhook: 'clicked', status: 503 }, [false, true, false]],
    ['route and method together', { route: 'webhooks.*', method: 'POST', status: 503 }, [false, true, false]],
    ['domain and webhook together', { domain: 'other.example.com', webhook: 'open', status: 503 }, [false, false, true]],
  ])('%s', (_name, rule, expected) => {
    const faults = createFaultRegistry();
    faults.add(rule);
    const fired = [list, createClicked, deleteOpen].map((target) => faults.take(target) !== undefined);
    expect(fired).toEqual(expected);
  });

  it('gives ids in order and matches the first rule that fires', () => {
    const faults = createFaultRegistry();
    const first = faults.add({ route: 'webhooks.create', status: 500 });
    const second = faults.add({ status: 503 });
    expect([first.id, second.id]).toEqual(['fault-1', 'fault-2']);
    expect(faults.take(createClicked)?.id).toBe('fault-1');
    expect(faults.take(list)?.id).toBe('fault-2');
  });

  it('fires a rule `times` times, then stops, counting hits', () => {
    const faults = createFaultRegistry();
    faults.add({ preset: 'unavailable', times: 2 });
    const fired = Array.from({ length: 4 }, () => faults.take(list) !== undefined);
    expect(fired).toEqual([true, true, false, false]);
    expect(faults.list()[0]).toMatchObject({ hits: 2, remaining: 0 });
  });

  it('does not spend a rule on requests it does not match', () => {
    const faults = createFaultRegistry();
    faults.add({ route: 'webhooks.create', status: 503, times: 1 });
    expect(faults.take(list)).toBeUndefined();
    expect(faults.take(createClicked)?.id).toBe('fault-1');
  });

  it('refuses an invalid rule on add and keeps the others', () => {
    const faults = createFaultRegistry();
    faults.add({ status: 503 });
    expect(() => faults.add({ status: 200 })).toThrow(FaultRuleError);
    expect(faults.list()).toHaveLength(1);
  });

  it('removes one rule by id, or says there was none', () => {
    const faults = createFaultRegistry();
    const a = faults.add({ status: 500 });
    faults.add({ status: 503 });
    expect(faults.remove(a.id)).toBe(true);
    expect(faults.remove(a.id)).toBe(false);
    expect(faults.list().map((r) => r.status)).toEqual([503]);
    faults.clear();
    expect(faults.list()).toEqual([]);
  });

  it('lists copies: changing a listed rule does not change the registry', () => {
    const faults = createFaultRegistry();
    faults.add({ status: 503, times: 1 });
    const [listed] = faults.list();
    listed!.remaining = 99;
    expect(faults.list()[0]?.remaining).toBe(1);
  });
});

describe('seeded probability', () => {
  const target = { routeId: 'webhooks.list', method: 'GET' };
  /** Which of 200 requests a rule with this probability hits, from a registry with this seed. */
  function hits(seed: number, probability = 0.3): boolean[] {
    const faults = createFaultRegistry({ seed });
    faults.add({ status: 503, probability });
    return Array.from({ length: 200 }, () => faults.take(target) !== undefined);
  }

  it('hits the same requests for the same seed', () => {
    expect(hits(42)).toEqual(hits(42));
  });

  it('hits other requests for another seed', () => {
    expect(hits(42)).not.toEqual(hits(43));
  });

  it('roughly honours the probability', () => {
    const count = hits(7).filter(Boolean).length;
    expect(count).toBeGreaterThan(30); // 30% of 200 is 60
    expect(count).toBeLessThan(90);
  });

  it('gives header rules the same seeded source through chance()', () => {
    const roll = (seed: number) => {
      const faults = createFaultRegistry({ seed });
      return Array.from({ length: 200 }, () => faults.chance(0.3));
    };
    expect(roll(42)).toEqual(hits(42));
  });

  it('never fires at 0 and always fires at 1', () => {
    expect(hits(1, 0).some(Boolean)).toBe(false);
    expect(hits(1, 1).every(Boolean)).toBe(true);
  });
});

describe('reset', () => {
  it('restores the boot rules with fresh counters and ids, dropping rules added since', () => {
    const faults = createFaultRegistry({ boot: [{ preset: 'unavailable', route: 'webhooks.list', times: 1 }] });
    const target = { routeId: 'webhooks.list', method: 'GET' };
    expect(faults.take(target)?.id).toBe('fault-1');
    faults.add({ status: 500 });
    faults.remove('fault-1');
    faults.reset();
    expect(faults.list()).toEqual([{ id: 'fault-1', preset: 'unavailable', route: 'webhooks.list', times: 1, hits: 0, remaining: 1 }]);
    expect(faults.take(target)?.id).toBe('fault-1');
  });

  it('restarts the random sequence', () => {
    const faults = createFaultRegistry({ seed: 9, boot: [{ status: 503, probability: 0.5 }] });
    const target = { routeId: 'webhooks.list', method: 'GET' };
    const run = () => Array.from({ length: 200 }, () => faults.take(target) !== undefined);
    const first = run();
    faults.reset();
    expect(run()).toEqual(first);
  });

  it('refuses invalid boot rules when the registry is built', () => {
    expect(() => createFaultRegistry({ boot: [{ preset: 'nope' as never }] })).toThrow(/unknown preset 'nope'/);
  });
});
