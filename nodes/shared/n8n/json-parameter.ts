/**
 * JSON parameters: a string the user typed, or the value an expression already produced.
 * A string that does not parse is an error naming the item and the field.
 */
import type { IDataObject } from 'n8n-workflow';

import { MAX_JSON_DEPTH, nestsDeeperThan } from '../gemini/json-depth';
import { isPlainObject } from '../gemini/plain-object';
import type { NodeContext } from './context';
import { parameterError } from './errors';

/** Accepts a JSON string or a value an expression already produced, nested at most so deep. */
export function parseJsonParameter(
	ctx: NodeContext,
	itemIndex: number,
	field: string,
	value: unknown,
): unknown {
	const tooDeep = () =>
		parameterError(
			ctx.getNode(),
			itemIndex,
			field,
			`is nested more than ${MAX_JSON_DEPTH} levels deep`,
			'No request needs JSON this deep; check the expression that builds it.',
		);
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			// A RangeError: so deep that parsing itself ran out of stack.
			if (error instanceof RangeError) throw tooDeep();
			throw parameterError(
				ctx.getNode(),
				itemIndex,
				field,
				`is not valid JSON: ${(error as Error).message}`,
				'Check the JSON: quotes around every key and text, no trailing commas.',
			);
		}
	}
	if (nestsDeeperThan(parsed)) throw tooDeep();
	return parsed;
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
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			field,
			'is not a JSON object',
			'Write an object in braces, e.g. {"key": "value"}, or let an expression return one.',
		);
	}
	if (shape === 'array' && !(Array.isArray(parsed) && parsed.every(isPlainObject))) {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			field,
			'is not a JSON array of objects',
			'Write a list in brackets, e.g. [{"key": "value"}], or let an expression return one.',
		);
	}
	return parsed as IDataObject[] | IDataObject;
}
