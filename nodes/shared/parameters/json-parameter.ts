/**
 * JSON parameters: a string the user typed, or the value an expression already produced.
 * A string that does not parse is an error naming the item and the field.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isPlainObject, MAX_JSON_DEPTH, nestsDeeperThan } from '../gemini/json';
import type { NodeContext } from '../runtime/context';
import { parameterError } from '../runtime/errors';
import { nodeParameter } from './node-parameter';

function tooDeep(ctx: NodeContext, itemIndex: number, field: string) {
	return parameterError(
		ctx.getNode(),
		itemIndex,
		field,
		`is nested more than ${MAX_JSON_DEPTH} levels deep`,
		'No request needs JSON this deep; check the expression that builds it.',
	);
}

/** Accepts a JSON string or a value an expression already produced, nested at most so deep. */
export function parseJsonParameter(
	ctx: NodeContext,
	itemIndex: number,
	field: string,
	value: unknown,
): unknown {
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			// A RangeError: so deep that parsing itself ran out of stack.
			if (error instanceof RangeError) throw tooDeep(ctx, itemIndex, field);
			throw parameterError(
				ctx.getNode(),
				itemIndex,
				field,
				`is not valid JSON: ${(error as Error).message}`,
				'Check the JSON: quotes around every key and text, no trailing commas.',
			);
		}
	}
	if (nestsDeeperThan(parsed)) throw tooDeep(ctx, itemIndex, field);
	return parsed;
}

/**
 * A JSON parameter of its own (not inside a collection), read and parsed. n8n copies an
 * expression's result recursively before handing it over, so an object nested thousands deep
 * overflows the stack in that copy, before the depth can be checked.
 */
export function readJsonParameter(
	ctx: NodeContext,
	itemIndex: number,
	name: string,
	field: string,
	fallback: string,
): unknown {
	let value: unknown;
	try {
		value = nodeParameter(ctx, name, itemIndex, fallback);
	} catch (error) {
		throw error instanceof RangeError
			? tooDeep(ctx, itemIndex, field)
			: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
	}
	return parseJsonParameter(ctx, itemIndex, field, value);
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
