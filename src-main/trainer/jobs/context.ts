/** What a job handler inside the trainer process gets from the process entry. */
import type { TrainerMessage } from '../protocol';

export interface JobContext {
  post(message: TrainerMessage): void;
  /** True once the host asked to cancel. */
  isCancelled(): boolean;
}
