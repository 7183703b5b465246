/**
 * What the requests of one execution share about the API's rate limit. Every request of an
 * execution, from either node, goes through the same state; nothing outlives the execution.
 */
import type { NodeContext } from '../n8n/context';
import { wait } from '../n8n/wait';

/**
 * When one request hits a rate limit, every request of the execution holds back until the
 * wait is over instead of each hammering the API in turn.
 */
export class RateLimitGate {
	private resumeAt = 0;

	holdFor(ms: number): void {
		this.resumeAt = Math.max(this.resumeAt, Date.now() + ms);
	}

	async wait(signal?: AbortSignal): Promise<void> {
		for (
			let remaining = this.resumeAt - Date.now();
			remaining > 0;
			remaining = this.resumeAt - Date.now()
		) {
			await wait(remaining, signal);
		}
	}
}

/**
 * One gate per execution, found through the execution's cancel signal, the one object n8n
 * hands every node of an execution (and the chat model on every agent turn). Held weakly, so
 * it goes when the execution does.
 */
const gates = new WeakMap<AbortSignal, RateLimitGate>();

export function rateLimitGateOf(ctx: NodeContext): RateLimitGate {
	const execution = ctx.getExecutionCancelSignal?.();
	if (!execution) return new RateLimitGate();
	let gate = gates.get(execution);
	if (!gate) {
		gate = new RateLimitGate();
		gates.set(execution, gate);
	}
	return gate;
}
