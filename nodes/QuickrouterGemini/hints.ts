/**
 * What the editor shows above the output after a run (n8n's execution hints): items whose
 * answer stopped short (MAX_TOKENS, a safety or recitation stop), prompts that were blocked,
 * and the tokens the run used. Nothing here fails an item; it tells the user why an answer
 * looks the way it does.
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

const number = (value: number) => value.toLocaleString('en-US');

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

export class RunSummary {
	private readonly cutOff: number[] = [];

	private cutOffThoughts = 0;

	private readonly filtered = new Map<string, number[]>();

	private readonly blocked = new Map<string, number[]>();

	private answers = 0;

	/** Answers without usageMetadata (Gemini sends it with the last chunk; a relay may not). */
	private unmetered = 0;

	private readonly tokens = { prompt: 0, answer: 0, thoughts: 0, total: 0 };

	/** An item's answer, as it was collected. */
	addAnswer(itemIndex: number, answer: CollectedAnswer): void {
		this.answers++;
		if (!answer.usageMetadata) this.unmetered++;
		const counts = tokenCounts(answer.usageMetadata ?? {});
		this.tokens.prompt += counts.prompt;
		this.tokens.answer += counts.candidates;
		this.tokens.thoughts += counts.thoughts;
		this.tokens.total += counts.total;
		const reason = answer.candidates[0]?.finishReason;
		if (reason === 'MAX_TOKENS') {
			this.cutOff.push(itemIndex);
			this.cutOffThoughts += counts.thoughts;
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
		const metered = this.answers - this.unmetered;
		if (metered > 0) {
			const thinking = this.tokens.thoughts
				? ` (and ${number(this.tokens.thoughts)} thinking)`
				: '';
			const unmetered = this.unmetered
				? ` ${number(this.unmetered)} more ${this.unmetered === 1 ? 'answer' : 'answers'} reported no token counts.`
				: '';
			hints.push({
				message: `Tokens for ${number(metered)} ${metered === 1 ? 'answer' : 'answers'}: ${number(this.tokens.prompt)} prompt, ${number(this.tokens.answer)} answer${thinking}, ${number(this.tokens.total)} in all.${unmetered}`,
				type: 'info',
				location: 'outputPane',
			});
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
