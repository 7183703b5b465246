/**
 * What the editor shows above the output after a run (n8n's execution hints): items whose
 * answer stopped short (MAX_TOKENS, a safety or recitation stop), prompts that were blocked,
 * and per model the tokens the run used by kind and the answers a cheaper tier or a cache
 * served. Nothing here fails an item; it tells the user why an answer looks the way it does
 * and what it cost.
 */
import type { IExecuteFunctions, NodeExecutionHint } from 'n8n-workflow';

import type { CollectedAnswer } from '../shared/gemini/answer-collector';
import { FILTERED_FINISHES } from '../shared/gemini/finish-reasons';
import { tokenCounts } from '../shared/gemini/usage';

/** The list under `key`, made empty where there is none yet. */
function listIn(map: Map<string, number[]>, key: string): number[] {
	let list = map.get(key);
	if (!list) map.set(key, (list = []));
	return list;
}

/**
 * A count as `toLocaleString('en-US')` writes it ("1,234,567"). Whole numbers are grouped here:
 * a process's first toLocaleString loads ICU's locale data, about 15 ms once per process, at
 * the end of the first run that has token counts.
 */
const number = (value: number) =>
	Number.isSafeInteger(value) && !Object.is(value, -0)
		? String(value).replace(/\B(?=(\d{3})+$)/g, ',')
		: value.toLocaleString('en-US');

/** "item 3" or "items 3, 7 and 12", by index as n8n's own errors name items; at most five. */
function itemList(indexes: number[]): string {
	if (indexes.length === 1) return `item ${indexes[0]}`;
	const named = indexes.slice(0, 5);
	const list =
		indexes.length > named.length
			? `${named.join(', ')}, … (${indexes.length} in all)`
			: `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
	return `items ${list}`;
}

const plural = (count: number, one: string, many = `${one}s`) =>
	`${number(count)} ${count === 1 ? one : many}`;

/** What one model's answers used. */
class ModelUsage {
	answers = 0;

	/** Answers without usageMetadata (Gemini sends it with the last chunk; a relay may not). */
	unmetered = 0;

	readonly tokens = { prompt: 0, cached: 0, answer: 0, thoughts: 0, total: 0 };

	/** Answers by the tier that served them (`usageMetadata.serviceTier`), standard aside. */
	readonly tiers = new Map<string, number>();

	/** Answers with a part of the prompt read from a context cache, explicit or implicit. */
	cacheReads = 0;

	add(answer: CollectedAnswer): void {
		this.answers++;
		const usage = answer.usageMetadata;
		if (!usage) {
			this.unmetered++;
			return;
		}
		const counts = tokenCounts(usage);
		this.tokens.prompt += counts.prompt;
		this.tokens.cached += counts.cached;
		this.tokens.answer += counts.candidates;
		this.tokens.thoughts += counts.thoughts;
		this.tokens.total += counts.total;
		if (counts.cached > 0) this.cacheReads++;
		const tier = typeof usage.serviceTier === 'string' ? usage.serviceTier.toLowerCase() : '';
		if (tier !== '' && tier !== 'standard') this.tiers.set(tier, (this.tiers.get(tier) ?? 0) + 1);
	}

	/** One line, or none when no answer had token counts. */
	line(model: string): string | undefined {
		const metered = this.answers - this.unmetered;
		if (metered === 0) return undefined;
		const { prompt, cached, answer, thoughts, total } = this.tokens;
		const ofCache = cached ? ` (${number(cached)} of them cached)` : '';
		const thinking = thoughts ? ` (and ${number(thoughts)} thinking)` : '';
		const served = [...this.tiers].map(([tier, count]) => `${number(count)} served on ${tier}`);
		if (this.cacheReads) served.push(`${number(this.cacheReads)} read a cache`);
		const extra = served.length > 0 ? `; ${served.join(', ')}` : '';
		const unmetered = this.unmetered
			? ` ${plural(this.unmetered, 'more answer')} reported no token counts.`
			: '';
		return `Tokens of ${model} for ${plural(metered, 'answer')}: ${number(prompt)} prompt${ofCache}, ${number(answer)} answer${thinking}, ${number(total)} in all${extra}.${unmetered}`;
	}
}

export class RunSummary {
	private readonly cutOff: number[] = [];

	private cutOffThoughts = 0;

	private readonly filtered = new Map<string, number[]>();

	private readonly blocked = new Map<string, number[]>();

	/** By model, in the order of their first answer. */
	private readonly usage = new Map<string, ModelUsage>();

	/** An item's answer, as it was collected, from the model the item asked for. */
	addAnswer(itemIndex: number, answer: CollectedAnswer, model: string): void {
		let usage = this.usage.get(model);
		if (!usage) this.usage.set(model, (usage = new ModelUsage()));
		usage.add(answer);
		const reason = answer.candidates[0]?.finishReason;
		if (reason === 'MAX_TOKENS') {
			this.cutOff.push(itemIndex);
			this.cutOffThoughts += tokenCounts(answer.usageMetadata ?? {}).thoughts;
		} else if (reason && FILTERED_FINISHES.has(reason)) {
			listIn(this.filtered, reason).push(itemIndex);
		}
	}

	/** An item whose prompt was refused (it became an error item under Continue On Fail). */
	addBlocked(itemIndex: number, reason: string): void {
		listIn(this.blocked, reason).push(itemIndex);
	}

	hints(): NodeExecutionHint[] {
		const hints: NodeExecutionHint[] = [];
		const warn = (message: string) =>
			hints.push({ message, type: 'warning', location: 'outputPane' });
		if (this.cutOff.length > 0) {
			const thoughts = this.cutOffThoughts
				? ` Thinking took ${number(this.cutOffThoughts)} of their tokens.`
				: '';
			warn(
				`The answer of ${itemList(this.cutOff)} stopped at MAX_TOKENS: it is cut off.${thoughts} Raise Max Output Tokens${thoughts ? ', or lower the thinking' : ''}.`,
			);
		}
		for (const [reason, indexes] of this.filtered) {
			warn(
				`The answer of ${itemList(indexes)} was stopped with ${reason}: its text is empty or cut off.`,
			);
		}
		for (const [reason, indexes] of this.blocked) {
			warn(
				`The prompt of ${itemList(indexes)} was blocked (${reason}): see the error in its place.`,
			);
		}
		for (const [model, usage] of this.usage) {
			const message = usage.line(model);
			if (message) hints.push({ message, type: 'info', location: 'outputPane' });
		}
		return hints;
	}

	/** Shows the hints in the editor, where this n8n has execution hints. */
	report(ctx: IExecuteFunctions): void {
		const hints = this.hints();
		if (hints.length > 0 && typeof ctx.addExecutionHints === 'function') {
			ctx.addExecutionHints(...hints);
		}
	}
}
