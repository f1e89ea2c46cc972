import { describe, expect, it } from 'vitest';
import { kneeIndex } from './knee';

const pts = (...acc: number[]) => acc.map((accuracy) => ({ accuracy }));

describe('kneeIndex', () => {
  it('is the last point within the tolerance of the unpruned reference, not of the first point', () => {
    // The first point already lost 0.8 pt: measured against it, 0.955 would still look within one point.
    expect(kneeIndex(pts(0.962, 0.958, 0.955, 0.94), 0.97)).toBe(0);
    expect(kneeIndex(pts(0.962, 0.958, 0.955, 0.94), 0.97, 0.02)).toBe(2);
  });

  it('stops at the first point that falls short, and is -1 when even the first does', () => {
    expect(kneeIndex(pts(0.97, 0.9, 0.97), 0.97)).toBe(0);
    expect(kneeIndex(pts(0.9, 0.95), 0.97)).toBe(-1);
    expect(kneeIndex([], 0.97)).toBe(-1);
  });

  it('counts a point exactly at the tolerance as within it', () => {
    expect(kneeIndex(pts(0.96), 0.97, 0.01)).toBe(0);
  });
});
