/**
 * The renderer's view of the host contract. Everything comes from `src-main/shared/contract.ts`
 * (the single declaration); the only additions are the pruning/export methods the contract does not
 * declare yet (`PendingMethods`). They are typed from `prune-types.ts` and called the same way; a
 * host without them answers `unknown-method`, which the prune view turns into an explanation.
 * When the contract gains them, delete the matching entries here.
 */
import type {
  EventName as ContractEventName,
  EventPayload,
  MethodName as ContractMethodName,
  Params as ContractParams,
  Result as ContractResult,
} from '../../../src-main/shared/contract';
import type { ExportRecord, Prune, Run, Sweep } from '../../../src-main/shared/store-types';
import type { PruneOptions, SelectionOptions, SweepOptions } from '../../../src-main/shared/prune-types';

export type {
  AppInfo,
  BackendStatus,
  CompareResult,
  ConfigValidation,
  DatasetDescription,
  DatasetEntry,
  DatasetSamples,
  RunDetails,
  RunProgress,
  RunSummary,
} from '../../../src-main/shared/contract';

export interface PendingMethods {
  /** Stored sensitivity sweeps of a run. */
  'prune.sweeps': { params: { runId: string }; result: Sweep[] };
  /** Runs a sensitivity sweep (thresholds or ratios → params, MACs, accuracy). */
  'prune.sweep': { params: { runId: string; options: SweepOptions }; result: Sweep };
  /** Prunes the run's final model; with finetuneEpochs > 0 also queues the fine-tune child run. */
  'prune.create': { params: { runId: string; options: PruneOptions }; result: { prune: Prune; childRun: Run | null } };
  'prune.list': { params: { runId: string }; result: Prune[] };
  /** Exports a run's model or a prune's model, verified after writing. */
  'exports.create': { params: { runId?: string; pruneId?: string; format: 'tfjs' | 'onnx' }; result: ExportRecord };
  'exports.list': { params: { runId: string }; result: ExportRecord[] };
}

export type { SelectionOptions };

export type MethodName = ContractMethodName | keyof PendingMethods;
export type Params<M extends MethodName> = M extends ContractMethodName
  ? ContractParams<M>
  : M extends keyof PendingMethods
    ? PendingMethods[M]['params']
    : never;
export type Result<M extends MethodName> = M extends ContractMethodName
  ? ContractResult<M>
  : M extends keyof PendingMethods
    ? PendingMethods[M]['result']
    : never;

export type EventName = ContractEventName;
export type Events = { [E in EventName]: EventPayload<E> };
