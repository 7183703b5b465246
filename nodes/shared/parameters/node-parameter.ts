/**
 * A node parameter's value for one item, read once per node run when it cannot differ between
 * items. n8n's `getNodeParameter` evaluates, cleans and validates the parameter again on every
 * call, for every item (BENCHMARKS.md's profile: a tenth of the main thread of a 1,000-row
 * run), although a value with no expression in it is the same for every item. Such a value is
 * read in full the first time and then handed to every later item of the run as it is; a value
 * holding an expression anywhere (a string starting with `=`, n8n's own test) is read per item
 * as before. Only a read that succeeded is kept, so every item still fails with its own error.
 */
import type { IDataObject, IGetNodeParameterOptions } from 'n8n-workflow';
import { isExpression } from 'n8n-workflow';

import type { NodeContext } from '../runtime/context';

type Value = IDataObject[string] | object;

/** What a run knows of a parameter: its one value, or that it holds an expression. */
type Known = { value: Value } | 'per item';

/** By node run (n8n gives each run its own context object), by parameter and options. */
const runs = new WeakMap<NodeContext, Map<string, Known>>();

function holdsExpression(value: unknown): boolean {
	if (isExpression(value)) return true;
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (typeof value === 'object' && value !== null)
		return Object.values(value).some(holdsExpression);
	return false;
}

/** Frozen, so that no item can change what the next one gets. */
function frozen<T>(value: T): T {
	if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
	for (const inner of Object.values(value)) frozen(inner);
	return Object.freeze(value);
}

export function nodeParameter(
	ctx: NodeContext,
	name: string,
	itemIndex: number,
	fallback: unknown,
	options?: IGetNodeParameterOptions,
): Value {
	let run = runs.get(ctx);
	if (!run) runs.set(ctx, (run = new Map()));
	const key = options ? `${name} ${JSON.stringify(options)}` : name;
	const known = run.get(key);
	if (known !== undefined && known !== 'per item') return known.value;
	const value = ctx.getNodeParameter(name, itemIndex, fallback, options) as Value;
	if (known === 'per item') return value;
	// The raw value is looked at once per run: whether it holds an expression cannot change.
	const raw = ctx.getNodeParameter(name, itemIndex, fallback, { rawExpressions: true });
	run.set(key, holdsExpression(raw) ? 'per item' : { value: frozen(value) });
	return value;
}
