import { describe, expect, it } from 'vitest';
import { parseTrustProxy, webServerTrustsPeer } from './trust-proxy.ts';

const trustOf = (raw: string | undefined) => {
  const result = parseTrustProxy(raw);
  if (!result.valid) throw new Error(result.reason);
  return result.trust;
};

describe('parseTrustProxy', () => {
  it('reads unset, false and 0 as no proxy', () => {
    for (const raw of [undefined, '', '  ', 'false', 'FALSE', 'no', 'off', '0']) expect(trustOf(raw), raw).toEqual([]);
  });

  it('reads a hop count', () => {
    expect(trustOf('2')).toBe(2);
    expect(trustOf(' 1 ')).toBe(1);
    expect(trustOf('1000')).toBe(1000);
  });

  it('reads a list of addresses and CIDRs, trimmed', () => {
    expect(trustOf(' 10.0.0.0/8, 192.0.2.7 ,fd00::/8,::1')).toEqual(['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::1']);
    expect(trustOf('FD00::/8')).toEqual(['fd00::/8']);
  });

  it.each(['true', 'TRUE', 'yes', 'on'])('refuses %s, which would believe every hop, saying what to give', (raw) => {
    const result = parseTrustProxy(raw);
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.reason).toMatch(/^true would believe .*number of proxies.*addresses/);
  });

  it.each([
    'lb.internal',
    '10.0.0.0/33',
    'fd00::/129',
    '10.0.0.1/8/2',
    '300.1.1.1',
    '10.0.0.1,garbage',
    '-1',
    '1.5',
    '1001',
    ',',
  ])('refuses %s, quoting what it could not read', (raw) => {
    const result = parseTrustProxy(raw);
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.reason).toMatch(/^".+" is neither a number of proxies .*hop count .*addresses/);
  });

  it('quotes the entry that is wrong, not the whole list', () => {
    expect(parseTrustProxy('10.0.0.1, Garbage')).toEqual({
      valid: false,
      reason: expect.stringMatching(/^"garbage" is neither/),
    });
    expect(parseTrustProxy(',')).toEqual({ valid: false, reason: expect.stringMatching(/^"," is neither/) });
  });
});

describe('webServerTrustsPeer', () => {
  it('trusts no peer by default, nor for one hop (the web server is that hop)', () => {
    expect(webServerTrustsPeer([])('127.0.0.1')).toBe(false);
    expect(webServerTrustsPeer(1)('10.0.0.1')).toBe(false);
  });

  it('trusts its peer from two hops on: a proxy stands in front of it', () => {
    expect(webServerTrustsPeer(2)('10.0.0.1')).toBe(true);
  });

  it('trusts exactly the listed proxies, IPv4-mapped peers included, and not loopback', () => {
    const trusted = webServerTrustsPeer(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
    expect(trusted('10.1.2.3')).toBe(true);
    expect(trusted('::ffff:10.1.2.3')).toBe(true);
    expect(trusted('192.0.2.7')).toBe(true);
    expect(trusted('fd00::5')).toBe(true);
    expect(trusted('192.0.2.8')).toBe(false);
    expect(trusted('11.0.0.1')).toBe(false);
    expect(trusted('127.0.0.1')).toBe(false);
    expect(trusted('')).toBe(false);
  });
});
