/** Option parsers that turn bad input into one clear sentence naming the option. */
import { InvalidArgumentError } from 'commander';

export function numberOption(flag: string, o: { integer?: boolean; min?: number; max?: number } = {}) {
  return (raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) throw new InvalidArgumentError(`${flag} must be a number, got "${raw}".`);
    if (o.integer && !Number.isInteger(v)) throw new InvalidArgumentError(`${flag} must be a whole number, got "${raw}".`);
    if (o.min !== undefined && v < o.min) throw new InvalidArgumentError(`${flag} must be at least ${o.min}, got ${raw}.`);
    if (o.max !== undefined && v > o.max) throw new InvalidArgumentError(`${flag} must be at most ${o.max}, got ${raw}.`);
    return v;
  };
}

export function choiceOption<T extends string>(flag: string, choices: readonly T[]) {
  return (raw: string): T => {
    if (!(choices as readonly string[]).includes(raw)) {
      throw new InvalidArgumentError(`${flag} must be one of ${choices.join(', ')}; "${raw}" is not.`);
    }
    return raw as T;
  };
}

/** "32x32x3" → [32, 32, 3]. */
export function shapeOption(flag: string) {
  return (raw: string): [number, number, number] => {
    const parts = raw.split(/[x×,]/).map(Number);
    if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p < 1)) {
      throw new InvalidArgumentError(`${flag} must look like 32x32x3 (height x width x channels), got "${raw}".`);
    }
    return parts as [number, number, number];
  };
}

export function listOption(flag: string) {
  return (raw: string): number[] => {
    const values = raw.split(',').map((s) => Number(s.trim()));
    if (values.length === 0 || values.some((v) => !Number.isFinite(v))) {
      throw new InvalidArgumentError(`${flag} must be a comma-separated list of numbers, got "${raw}".`);
    }
    return values;
  };
}
