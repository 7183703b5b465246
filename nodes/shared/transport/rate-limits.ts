/**
 * The rate limiters of this n8n process, one per key and model: Gemini counts its quotas per
 * project and per model, so every node, sub-node and execution that calls a model with a key
 * spends one quota and shares one limiter, and a refusal for one model never slows another.
 * The key is known only by a hash of the token (with the Base URL's host): no token and no
 * data of any execution is kept. Bounded, and a limiter idle for {@link FORGET_AFTER_MS} is
 * forgotten (its quota window has long emptied). In queue mode each worker has its own.
 */
import { createHash } from 'crypto';

import type { ApiCredential } from './credentials';
import { RateLimiter } from './rate-limiter';

const MAX_LIMITERS = 256;
const FORGET_AFTER_MS = 15 * 60_000;

const limiters = new Map<string, RateLimiter>();

function keyOf(credential: ApiCredential, model: string): string {
	const hash = createHash('sha256').update(credential.authorization).digest('hex');
	return `${hash} ${new URL(credential.baseUrl).host} ${model}`;
}

/** Drops the idle limiters that are old, and the oldest idle ones past the bound. */
function sweep(now: number): void {
	for (const [key, limiter] of limiters) {
		const stale = now - limiter.lastUsedAt > FORGET_AFTER_MS;
		if (limiter.isIdle(now) && (stale || limiters.size > MAX_LIMITERS)) limiters.delete(key);
	}
}

/** The limiter for `model` on the credential's key and host. */
export function rateLimiterFor(credential: ApiCredential, model: string): RateLimiter {
	const key = keyOf(credential, model);
	let limiter = limiters.get(key);
	if (limiter) {
		// Most recently used last, so the bound drops the least recently used first.
		limiters.delete(key);
	} else {
		sweep(Date.now());
		limiter = new RateLimiter();
	}
	limiters.set(key, limiter);
	return limiter;
}

/** Forgets every limiter's state (what was learnt of the quotas, and used-up quotas). */
export function forgetRateLimits(): void {
	limiters.clear();
}
