/**
 * Another host holding a run's training lock (used by run-locks.test.ts): opens the store, takes the
 * lock of the run under its own owner token, says "locked" on stdout and waits until it is killed.
 *
 * Usage: node --import tsx lock-holder.ts <db file> <run id>
 */
import { openStore } from '../database';

const [file, runId] = process.argv.slice(2);
if (!file || !runId) {
  process.stderr.write('usage: lock-holder.ts <db file> <run id>\n');
  process.exit(2);
}

const store = openStore(file, { recoverInterrupted: false });
store.runLocks.acquire(runId, 'lock-holder');
process.stdout.write('locked\n');
setInterval(() => {}, 60_000);
