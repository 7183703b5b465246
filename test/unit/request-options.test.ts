/**
 * The waits of one request as the reader makes them from the Options collection: Idle Timeout
 * between the pieces of an answer, and before it starts the Service Tier's wait when Idle
 * Timeout is not added (Flex: 15 minutes). The values here are the real ones; the workflow
 * tests (tier-and-cache*.test.ts) run them scaled down.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { readRequestOptions } from '../../nodes/shared/parameters/readers';
import type { NodeContext } from '../../nodes/shared/runtime/context';

/** A node context whose Options collection is `options`. */
const withOptions = (options: IDataObject) =>
	({
		getNode: () => ({ name: 'Quickrouter Gemini' }) as INode,
		getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) =>
			name === 'options' ? options : fallback,
	}) as unknown as NodeContext;

const waits = (options: IDataObject) => {
	const { startTimeout, idleTimeout, timeout } = readRequestOptions(withOptions(options), 0).limits;
	return { startTimeout, idleTimeout, timeout };
};

const MINUTES = 60_000;

test.each([
	['no option added', {}],
	['Standard', { serviceTier: 'standard' }],
	['Priority', { serviceTier: 'priority' }],
])(
	'%s: Idle Timeout’s default, 120 s, before the answer starts and between its pieces',
	(_label, options) => {
		expect(waits(options)).toEqual({
			startTimeout: 120_000,
			idleTimeout: 120_000,
			timeout: Number.POSITIVE_INFINITY,
		});
	},
);

test('Flex, Idle Timeout not added: 15 minutes for the answer to start, then 120 s between pieces; no overall limit', () => {
	expect(waits({ serviceTier: 'flex' })).toEqual({
		startTimeout: 15 * MINUTES,
		idleTimeout: 120_000,
		timeout: Number.POSITIVE_INFINITY,
	});
});

test.each([
	['shorter', 5000, 5000],
	['at its default', 120_000, 120_000],
	['longer than 15 minutes', 20 * MINUTES, 20 * MINUTES],
	['0 (no limit)', 0, Number.POSITIVE_INFINITY],
])('Flex with Idle Timeout added, %s: the value set applies to both', (_label, idleTimeout, ms) => {
	expect(waits({ serviceTier: 'flex', idleTimeout })).toMatchObject({
		startTimeout: ms,
		idleTimeout: ms,
	});
});

test('an invalid Service Tier fails the reading, naming the field', () => {
	expect(() => waits({ serviceTier: 'cheap' })).toThrow(
		'"Service Tier" of item 0 must be one of standard, flex, priority, not "cheap"',
	);
});
