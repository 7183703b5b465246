/**
 * The one way this package waits. Node code may not use timers directly (n8n's rules), so it
 * uses n8n-workflow's: 2.x's `sleep(ms, signal)` is cancellable, while 1.x's `sleep(ms)` is not
 * and 1.x offers `sleepWithAbort` instead. Without cancelling, every finished request would
 * leave its timeout timers running for minutes.
 */
import * as workflow from 'n8n-workflow';

type Wait = (ms: number, signal?: AbortSignal) => Promise<void>;

const sleepWithAbort = (workflow as unknown as { sleepWithAbort?: Wait }).sleepWithAbort;

const sleep: Wait = sleepWithAbort ?? (workflow.sleep as Wait);

/**
 * The longest a timer can wait: Node fires a longer one at once (a 32-bit signed count of
 * milliseconds, about 24.8 days).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves after `ms`, or rejects as soon as `signal` is aborted. Infinity waits for the
 * signal alone; a wait longer than a timer can hold ends at {@link MAX_TIMER_MS}, so callers
 * that must wait longer look at the clock again.
 */
export async function wait(ms: number, signal?: AbortSignal): Promise<void> {
	if (Number.isFinite(ms)) return await sleep(Math.min(Math.max(0, ms), MAX_TIMER_MS), signal);
	return await new Promise<void>((_resolve, reject) => {
		if (signal?.aborted) reject(signal.reason);
		signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
	});
}
