/** app.* methods. */
import type { DomainHandlers, HandlerContext } from './types';

export function appHandlers({ appInfo }: HandlerContext): DomainHandlers<'app'> {
  return {
    'app.ping': () => ({ ok: true as const }),
    'app.info': () => appInfo.info(),
  };
}
