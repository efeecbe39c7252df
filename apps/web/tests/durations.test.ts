import { describe, expect, it } from 'vitest';
import { durationWords } from '../lib/durations';

describe('durationWords', () => {
  it('says a span the way a person would', () => {
    expect(durationWords(895_000)).toBe('15 minutes');
    expect(durationWords(30_000)).toBe('half a minute');
    expect(durationWords(4_000)).toBe('less than 5 seconds');
    expect(durationWords(2 * 3600_000)).toBe('about 2 hours');
  });

  it('never shows a negative span (a clock a little ahead of the server’s)', () => {
    expect(durationWords(-5_000)).toBe('less than 5 seconds');
  });
});
