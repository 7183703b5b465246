/**
 * JSON parameters: a string the user typed, or the value an expression already produced.
 * A string that does not parse is an error naming the item and the field.
 */
import type { IDataObject } from 'n8n-workflow';

import { isPlainObject } from '../gemini/plain-object';
import type { NodeContext } from './context';
import { parameterError } from './errors';

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

/** A JSON parameter that must be an object, or an array of objects. */
export function parseJsonParameterOf(
	ctx: NodeContext,
	itemIndex: number,
	field: string,
	value: unknown,
	shape: 'array' | 'object',
): IDataObject[] | IDataObject {
	const parsed = parseJsonParameter(ctx, itemIndex, field, value);
	if (shape === 'object' && !isPlainObject(parsed)) {
		throw parameterError(ctx.getNode(), itemIndex, field, 'is not a JSON object');
	}
	if (shape === 'array' && !(Array.isArray(parsed) && parsed.every(isPlainObject))) {
		throw parameterError(ctx.getNode(), itemIndex, field, 'is not a JSON array of objects');
	}
	return parsed as IDataObject[] | IDataObject;
}
