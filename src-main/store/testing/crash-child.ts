/**
 * Simulates a trainer host dying mid-run (used by recovery.test.ts): opens the store, starts the
 * run, records epoch 1, leaves epoch 2 half-written in an open transaction, then dies without
 * closing anything, by SIGKILL (`kill`) or process.exit (`exit`).
 *
 * Usage: node --import tsx crash-child.ts <db file> <run id> kill|exit
 */
import { openStore } from '../database';
import { epochRecord, metrics } from './fixtures';

const [file, runId, mode] = process.argv.slice(2);
if (!file || !runId || (mode !== 'kill' && mode !== 'exit')) {
  process.stderr.write('usage: crash-child.ts <db file> <run id> kill|exit\n');
  process.exit(2);
}

const store = openStore(file, { recoverInterrupted: false });
store.runs.markRunning(runId, { backend: 'cpu' });
store.runs.recordEpoch(runId, epochRecord(1));

// Epoch 2 is in flight: its metrics row is written but the transaction never commits.
store.db.exec('BEGIN IMMEDIATE');
const m = metrics(2);
store.db
  .prepare(
    `INSERT INTO metrics (run_id, epoch, train_loss, train_cross_entropy, train_accuracy, test_loss, test_accuracy,
                          ffr_length, ffr_curvature, reg_loss, lr, seconds)
     VALUES (?, 2, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  .run(runId, m.trainLoss, m.trainCrossEntropy, m.trainAccuracy, m.testLoss, m.testAccuracy, m.ffrLength,
    m.ffrCurvature, m.regLoss, m.lr, m.seconds);

process.stdout.write('dying\n');
if (mode === 'kill') process.kill(process.pid, 'SIGKILL');
else process.exit(3);
