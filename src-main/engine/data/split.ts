/**
 * Deterministic, class-stratified subsets: used for the bundled MNIST train/test split and for
 * trainLimit/testLimit. Stratified (rather than "first N of a permutation") so that a small limit
 * still has every class in proportion — it keeps accuracy curves of limited runs comparable.
 */
import { Rng } from '../rng';
import type { Split } from './types';

/** Images per class among the first `count` labels. */
export function classCounts(labels: ArrayLike<number>, count: number, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < count; i++) {
    const k = labels[i]!;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/**
 * Share `total` among classes in proportion to `counts` (largest-remainder method, ties to the
 * lower class index), so the parts sum to exactly `total` and none exceeds its class size.
 */
export function apportion(counts: number[], total: number): number[] {
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum === 0) return counts.map(() => 0);
  const want = Math.min(total, sum);
  const quotas = counts.map((n) => (n * want) / sum);
  const parts = quotas.map((q) => Math.floor(q));
  let left = want - parts.reduce((a, b) => a + b, 0);
  const order = quotas
    .map((q, k) => ({ k, r: q - Math.floor(q) }))
    .sort((a, b) => b.r - a.r || a.k - b.k);
  for (const { k } of order) {
    if (left <= 0) break;
    if (parts[k]! < counts[k]!) {
      parts[k]! += 1;
      left--;
    }
  }
  return parts;
}

/**
 * Pick `take` indices out of 0..count-1, stratified by label: each class contributes its
 * apportioned share, chosen by a seeded permutation within the class. Returns the picked and the
 * remaining indices, each in ascending order (so the source order is kept).
 */
export function stratifiedPick(
  labels: ArrayLike<number>,
  count: number,
  classes: number,
  take: number,
  seed: number,
): { picked: Int32Array; rest: Int32Array } {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < count; i++) byClass[labels[i]!]!.push(i);
  const shares = apportion(
    byClass.map((m) => m.length),
    take,
  );
  const rng = new Rng(seed);
  const chosen = new Uint8Array(count);
  byClass.forEach((members, k) => {
    const perm = rng.permutation(members.length);
    for (let j = 0; j < shares[k]!; j++) chosen[members[perm[j]!]!] = 1;
  });
  let nPicked = 0;
  for (let i = 0; i < count; i++) nPicked += chosen[i]!;
  const picked = new Int32Array(nPicked);
  const rest = new Int32Array(count - nPicked);
  let p = 0;
  let r = 0;
  for (let i = 0; i < count; i++) {
    if (chosen[i]) picked[p++] = i;
    else rest[r++] = i;
  }
  return { picked, rest };
}

/** A new split holding the given images (in the given order). */
export function gather(split: Split, indices: ArrayLike<number>, imageBytes: number): Split {
  const n = indices.length;
  const images = new Uint8Array(n * imageBytes);
  const labels = new Uint16Array(n);
  for (let j = 0; j < n; j++) {
    const i = indices[j]!;
    images.set(split.images.subarray(i * imageBytes, (i + 1) * imageBytes), j * imageBytes);
    labels[j] = split.labels[i]!;
  }
  return { images, labels, count: n };
}

/** At most `limit` images of a split, stratified and deterministic; the split itself if smaller. */
export function limitSplit(
  split: Split,
  classes: number,
  imageBytes: number,
  limit: number | undefined,
  seed: number,
): Split {
  if (limit === undefined || limit >= split.count) return split;
  const { picked } = stratifiedPick(split.labels, split.count, classes, limit, seed);
  return gather(split, picked, imageBytes);
}

/**
 * Per-channel mean and standard deviation of a split's pixels in [0,1] units. Uses byte
 * histograms (one pass, no float per pixel), which is exact and fast even for 150 MB of CIFAR.
 */
export function channelStats(split: Split, channels: number): { mean: number[]; std: number[] } {
  const hist = new Float64Array(channels * 256);
  const data = split.images;
  const n = split.count === 0 ? 0 : data.length;
  for (let i = 0; i < n; i += channels) {
    for (let c = 0; c < channels; c++) hist[c * 256 + data[i + c]!]! += 1;
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    let total = 0;
    let s1 = 0;
    let s2 = 0;
    for (let v = 0; v < 256; v++) {
      const h = hist[c * 256 + v]!;
      const x = v / 255;
      total += h;
      s1 += h * x;
      s2 += h * x * x;
    }
    const m = total > 0 ? s1 / total : 0;
    const variance = total > 0 ? Math.max(0, s2 / total - m * m) : 0;
    mean.push(m);
    // A constant channel would divide by zero when normalizing; 1 leaves it merely centred.
    std.push(variance > 1e-12 ? Math.sqrt(variance) : 1);
  }
  return { mean, std };
}
