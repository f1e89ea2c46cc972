import { describe, expect, it } from 'vitest';
import { indexRanges } from './format';

describe('format', () => {
  it('channel indices read as ranges', () => {
    expect(indexRanges([0, 1, 2, 5, 7, 8])).toBe('0–2, 5, 7–8');
    expect(indexRanges([9, 3, 3])).toBe('3, 9');
    expect(indexRanges([])).toBe('');
  });
});
