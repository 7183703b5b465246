/**
 * JSON parameters: a string the user typed, or the value an expression already produced.
 * A string that does not parse is an error naming the item and the field.
 */
import type { IDataObject } from 'n8n-workflow';

import { parameterError } from './errors';
import type { NodeContext } from './types';

export function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Accepts a JSON string or a value an expression already produced. */
export function parseJsonParameter(
	ctx: NodeContext,
	itemIndex: number,
	field: string,
	value: unknown,
): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch (error) {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			field,
			`is not valid JSON: ${(error as Error).message}`,
		);
	}
}
