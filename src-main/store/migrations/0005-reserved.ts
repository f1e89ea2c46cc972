/**
 * Version 5 is reserved for a migration of another branch (the numbers 0005–0007 were handed out
 * before either landed). Migrations must be numbered without gaps, so until that one lands this
 * placeholder changes nothing. When it lands, it replaces this file (same version, its own name).
 */
import type { Migration } from '../migrate';

export const migration0005: Migration = {
  version: 5,
  name: '0005-reserved',
  up() {
    // Nothing: see the comment above.
  },
};
