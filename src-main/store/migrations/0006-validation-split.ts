/**
 * The validation split (issue 11):
 *
 * - `metrics.val_loss`, `metrics.val_accuracy`: each epoch's loss and accuracy on the validation set
 *   held out of the training split. NULL for epochs recorded before it existed (their runs trained
 *   on the whole training split and have no validation set).
 * - `sweeps.reference`: the unpruned model measured on the same images as the sweep's points
 *   (`{split, accuracy, images}`, JSON). NULL for sweeps stored before it existed; those were
 *   measured on the head of the test split and carry no reference.
 */
import type { Migration } from '../migrate';

export const migration0006: Migration = {
  version: 6,
  name: '0006-validation-split',
  up(db) {
    db.exec(`
      ALTER TABLE metrics ADD COLUMN val_loss REAL;
      ALTER TABLE metrics ADD COLUMN val_accuracy REAL;
      ALTER TABLE sweeps ADD COLUMN reference TEXT CHECK (reference IS NULL OR json_valid(reference));
    `);
  },
};
