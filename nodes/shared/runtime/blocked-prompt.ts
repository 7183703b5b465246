/**
 * A refused prompt (no candidate, only `promptFeedback.blockReason`) as the error the user
 * sees, and its reason read back from that error: the main node's run summary counts blocked
 * prompts by reason, and the error is all it gets of the item. The reason travels beside the
 * error, not in it, so the error is n8n's own NodeApiError as for any other failure.
 */
import type { INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { blockedPromptReason, type CollectedAnswer } from '../gemini/answer-collector';

const blockReasons = new WeakMap<Error, string>();

/** The error for an answer that is a refused prompt, or undefined for a real answer. */
export function blockedPromptError(
	node: INode,
	answer: CollectedAnswer,
	itemIndex: number,
): NodeApiError | undefined {
	const reason = blockedPromptReason(answer);
	if (!reason) return undefined;
	const detail = answer.promptFeedback?.blockReasonMessage;
	const message = `The prompt was blocked: ${reason}${detail ? ` (${detail})` : ''}`;
	const error = new NodeApiError(
		node,
		{ message, blockReason: reason },
		{
			itemIndex,
			message,
			description:
				'Gemini returned no answer because of promptFeedback.blockReason. Rephrase the prompt or review the safety settings.',
		},
	);
	blockReasons.set(error, reason);
	return error;
}

/** The block reason, when `error` is a blocked prompt. */
export function blockReasonOf(error: unknown): string | undefined {
	return error instanceof Error ? blockReasons.get(error) : undefined;
}
