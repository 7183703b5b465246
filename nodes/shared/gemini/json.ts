/**
 * JSON as it comes from the server and from parameters: objects told apart from lists and
 * null, text that may not be JSON at all, and how deep a value nests.
 */
import type { IDataObject } from 'n8n-workflow';

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `JSON.parse`, or undefined for text that is not JSON. */
export function parseJsonOrUndefined(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/*
 * Each level of nesting costs a stack frame wherever the value is copied or written out (n8n
 * copies parameters, and saves and sends every item as JSON), so a value nested thousands deep
 * breaks a run far from where it came in. Gemini's own answers nest about ten levels; function
 * arguments a few more.
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

/**
 * Whether JSON `text` could nest deeper than `limit`: nesting `limit` + 1 levels takes as many
 * opening brackets, so a text with fewer cannot, and {@link nestsDeeperThan} need not walk
 * its value. Brackets inside strings are counted too, which only sends more texts to the walk.
 * A native search per bracket, much cheaper than the walk for every event of a stream.
 */
export function mayNestDeeperThan(text: string, limit = MAX_JSON_DEPTH): boolean {
	let count = 0;
	for (const bracket of ['{', '[']) {
		for (let at = text.indexOf(bracket); at !== -1; at = text.indexOf(bracket, at + 1)) {
			if (++count > limit) return true;
		}
	}
	return false;
}
