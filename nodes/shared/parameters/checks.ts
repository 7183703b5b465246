/**
 * How a parameter's value is checked before anything is sent: a number within a range, a text
 * from a list. An expression can return anything, so a value that does not fit fails its item
 * with a message naming the item and the field, not `null` or a 400 from the API.
 */
import type { NodeContext } from '../runtime/context';
import { parameterError } from '../runtime/errors';

export interface NumberRule {
	/** The field as the editor labels it; the error names it. */
	field: string;
	min?: number;
	max?: number;
	integer?: boolean;
}

/**
 * Where a number comes from. A generation setting takes a number or a numeric text (what an
 * expression may return) and its error quotes the value; an option (the Options collection,
 * its default when not added) takes whatever `Number()` reads and its error names the range.
 */
export type NumberSource = 'setting' | 'option';

const NUMBER_SOURCES: Record<
	NumberSource,
	{ read: (value: unknown) => number; quotesValue: boolean; fix: string }
> = {
	setting: {
		read: (value) =>
			typeof value === 'number'
				? value
				: typeof value === 'string' && value.trim() !== ''
					? Number(value)
					: Number.NaN,
		quotesValue: true,
		fix: 'Check the value, or the expression that gives it for this item.',
	},
	option: {
		read: Number,
		quotesValue: false,
		fix: 'Check the option in Options, or the expression that gives it.',
	},
};

/** A value as a message may quote it. */
export function shown(value: unknown): string {
	const text = typeof value === 'number' ? String(value) : String(JSON.stringify(value));
	return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function rangeOf({ min, max, integer }: NumberRule): string {
	const kind = integer ? 'a whole number' : 'a number';
	if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
	if (min !== undefined) return `${kind} of at least ${min}`;
	return kind;
}

/** The number a parameter holds, checked against its rule, or an error naming item and field. */
export function checkedNumber(
	ctx: NodeContext,
	itemIndex: number,
	value: unknown,
	rule: NumberRule,
	source: NumberSource,
): number {
	const { read, quotesValue, fix } = NUMBER_SOURCES[source];
	const number = read(value);
	const fits =
		Number.isFinite(number) &&
		(rule.min === undefined || number >= rule.min) &&
		(rule.max === undefined || number <= rule.max) &&
		(!rule.integer || Number.isInteger(number));
	if (!fits) {
		const problem = `must be ${rangeOf(rule)}${quotesValue ? `, not ${shown(value)}` : ''}`;
		throw parameterError(ctx.getNode(), itemIndex, rule.field, problem, fix);
	}
	return number;
}

/** A text from a fixed list (matched whatever its case), as the list spells it. */
export function checkedChoice(
	ctx: NodeContext,
	itemIndex: number,
	value: unknown,
	field: string,
	choices: readonly string[],
): string {
	const choice =
		typeof value === 'string'
			? choices.find((entry) => entry.toLowerCase() === value.toLowerCase())
			: undefined;
	if (choice !== undefined) return choice;
	throw parameterError(
		ctx.getNode(),
		itemIndex,
		field,
		`must be one of ${choices.join(', ')}, not ${shown(value)}`,
		'Check the value, or the expression that gives it for this item.',
	);
}
