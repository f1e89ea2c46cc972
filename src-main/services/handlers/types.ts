/** The dispatcher's handler table, typed from the contract, and what every handler may use. */
import type { z } from 'zod';
import type { MethodName, Methods, ParsedParams } from '../../shared/contract';
import type { App } from '../app';
import type { AppInfoService } from '../app-info';
import type { EventBridge } from '../events';

export type Handler<M extends MethodName> = (params: ParsedParams<M>) => Promise<z.input<Methods[M]['result']>> | z.input<Methods[M]['result']>;

/** One handler per contract method: a method without one (or with a wrongly typed one) does not compile. */
export type Handlers = { [M in MethodName]: Handler<M> };

/** The handlers of one domain: the methods named `<domain>.<verb>`. */
export type DomainHandlers<D extends string> = { [M in MethodName as M extends `${D}.${string}` ? M : never]: Handler<M> };

export interface HandlerContext {
  app: App;
  appInfo: AppInfoService;
  /** Lets a started run (or fine-tune) train on; a failure to start becomes a `log` event. */
  background(p: Promise<unknown>): void;
  /** A tool job's log lines as `log` events of the run it works on. */
  toolLog(runId: string): (message: string) => void;
  /** The desktop shell's folder opener (absent under ffr serve and the CLI). */
  openFolder?: (dir: string) => Promise<void>;
  /** Sends a contract event to every window and socket (validated on the way). */
  emit: EventBridge['emit'];
}
