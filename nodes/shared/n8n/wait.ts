/**
 * The one way this package waits. Node code may not use timers directly (n8n's rules), so it
 * uses n8n-workflow's: 2.x's `sleep(ms, signal)` is cancellable, while 1.x's `sleep(ms)` is not
 * and 1.x offers `sleepWithAbort` instead. Without cancelling, every finished request would
 * leave its timeout timers running for minutes.
 */
import * as workflow from 'n8n-workflow';

type Wait = (ms: number, signal?: AbortSignal) => Promise<void>;

const sleepWithAbort = (workflow as unknown as { sleepWithAbort?: Wait }).sleepWithAbort;

/** Resolves after `ms`, or rejects as soon as `signal` is aborted. */
export const wait: Wait = sleepWithAbort ?? (workflow.sleep as Wait);
