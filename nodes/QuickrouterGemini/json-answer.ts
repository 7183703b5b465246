/**
 * JSON mode (Response MIME Type `application/json`): the answer, parsed, when it is a whole
 * answer. One that stopped early, or that called functions instead of answering, is not
 * parsed: its cause is the error (or, for function calls, the item without `json`).
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CollectedCandidate } from '../shared/gemini/answer-collector';
import { describeFinish, NORMAL_FINISH } from '../shared/gemini/finish-reasons';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../shared/gemini/json';

function answerError(node: INode, message: string, text: string, itemIndex: number) {
	return new NodeOperationError(node, message, {
		itemIndex,
		description: text
			? `Response MIME Type is application/json, but the model answered:\n${text}`
			: 'Response MIME Type is application/json, but the model sent no text.',
	});
}

/** The parsed answer, or undefined when the model called functions instead of answering. */
export function jsonAnswerOf(
	node: INode,
	candidate: CollectedCandidate | undefined,
	itemIndex: number,
): IDataObject[string] | undefined {
	if (candidate?.content.parts.some((part) => part.functionCall)) return undefined;
	const text = candidate?.text ?? '';
	const reason = candidate?.finishReason;
	if (reason === 'MAX_TOKENS') {
		throw answerError(
			node,
			'The answer was cut off at MAX_TOKENS before the JSON was complete',
			text,
			itemIndex,
		);
	}
	if (reason !== undefined && reason !== NORMAL_FINISH) {
		throw answerError(
			node,
			`The answer ended with ${describeFinish(reason)} before the JSON was complete`,
			text,
			itemIndex,
		);
	}
	let parsed: IDataObject[string];
	try {
		parsed = JSON.parse(text) as IDataObject[string];
	} catch (error) {
		throw answerError(
			node,
			`The answer is not valid JSON: ${(error as Error).message}`,
			text,
			itemIndex,
		);
	}
	// Kept in the item, JSON this deep would make the run impossible for n8n to save.
	if (nestsDeeperThan(parsed)) {
		throw answerError(
			node,
			`The answer is JSON nested more than ${MAX_JSON_DEPTH} levels deep`,
			text,
			itemIndex,
		);
	}
	return parsed;
}
