/**
 * How deep JSON nests. Each level costs a stack frame wherever the value is copied or written
 * out (n8n copies parameters, and saves and sends every item as JSON), so a value nested
 * thousands deep breaks a run far from where it came in. Gemini's own answers nest about ten
 * levels; function arguments a few more.
 */

/** The deepest nesting accepted, from a parameter or from the server. */
export const MAX_JSON_DEPTH = 100;

/** Whether `value` nests objects or lists deeper than `limit`; walks without recursion. */
export function nestsDeeperThan(value: unknown, limit = MAX_JSON_DEPTH): boolean {
	const pending: Array<[unknown, number]> = [[value, 0]];
	while (pending.length > 0) {
		const [current, depth] = pending.pop() as [unknown, number];
		if (typeof current !== 'object' || current === null) continue;
		if (depth >= limit) return true;
		for (const inner of Array.isArray(current) ? current : Object.values(current)) {
			if (typeof inner === 'object' && inner !== null) pending.push([inner, depth + 1]);
		}
	}
	return false;
}
