/**
 * The renderer's view of the host contract: everything comes from `src-main/shared/contract.ts`
 * (the single declaration). This file only maps event names to payload types for `api.on`.
 */
import type { EventName, EventPayload } from '../../../src-main/shared/contract';

export type {
  AppInfo,
  BackendStatus,
  CompareResult,
  ConfigValidation,
  DatasetDescription,
  DatasetEntry,
  DatasetSamples,
  GpuAdapter,
  ExportView,
  MethodName,
  Params,
  PruneView,
  Result,
  RunDetails,
  RunProgress,
  RunSummary,
  SweepView,
  EventName,
} from '../../../src-main/shared/contract';

export type Events = { [E in EventName]: EventPayload<E> };
