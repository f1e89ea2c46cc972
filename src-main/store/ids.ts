/**
 * Row ids: a readable prefix plus 6 random lowercase base36 characters (`run-k3x9q2`). Short enough
 * to type on the command line; 36^6 ≈ 2.2 billion values, so a collision is rare, and it is checked
 * anyway against the table before use.
 */
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const LENGTH = 6;

export type IdPrefix = 'prj' | 'ds' | 'run' | 'prn' | 'swp' | 'exp' | 'stu';

export function randomId(prefix: IdPrefix): string {
  let suffix = '';
  for (let i = 0; i < LENGTH; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `${prefix}-${suffix}`;
}

/** A fresh id for which `taken` is false. */
export function newId(prefix: IdPrefix, taken: (id: string) => boolean): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    const id = randomId(prefix);
    if (!taken(id)) return id;
  }
  // 100 collisions in a row means the table is absurdly full or the RNG is broken.
  throw new Error(`Could not find a free ${prefix} id after 100 attempts.`);
}

export const ID_PATTERN = /^(prj|ds|run|prn|swp|exp|stu)-[0-9a-z]{6}$/;
