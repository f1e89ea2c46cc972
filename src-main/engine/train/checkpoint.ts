/**
 * Checkpoints of a training run: files in the model-file format (catalog/models/model-file.ts, where
 * the host can read them too), one per epoch, named by epoch in the run's checkpoint folder.
 */
import path from 'node:path';

export * from '../../catalog/models/model-file';

export function checkpointPath(dir: string, epoch: number): string {
  return path.join(dir, `epoch-${String(epoch).padStart(4, '0')}.ffrm`);
}
