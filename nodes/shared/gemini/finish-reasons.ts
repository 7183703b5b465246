/**
 * Why a candidate stopped (`Candidate.finishReason`), as the API reference lists the values
 * today (https://ai.google.dev/api/generate-content#FinishReason). Unknown values pass through:
 * the API adds new ones.
 */

/** The answer ended as it should: a natural stop or a stop sequence. */
export const NORMAL_FINISH = 'STOP';

/** Each documented reason, with what it means in words a user can act on. */
const FINISH_REASONS: Record<string, string> = {
	FINISH_REASON_UNSPECIFIED: 'the API gave no reason',
	STOP: 'the model finished its answer',
	MAX_TOKENS: 'the answer reached Max Output Tokens',
	SAFETY: 'the answer was stopped by the safety filters',
	RECITATION: 'the answer was stopped because it recited protected material',
	LANGUAGE: 'the answer was in a language the model does not support',
	OTHER: 'the answer was stopped for an unspecified reason',
	BLOCKLIST: 'the answer contained a forbidden term',
	PROHIBITED_CONTENT: 'the answer was stopped for prohibited content',
	SPII: 'the answer contained sensitive personal information',
	MALFORMED_FUNCTION_CALL: 'the function call the model generated was invalid',
	IMAGE_SAFETY: 'the image was stopped by the safety filters',
	IMAGE_PROHIBITED_CONTENT: 'the image was stopped for prohibited content',
	IMAGE_OTHER: 'the image was stopped for an unspecified reason',
	NO_IMAGE: 'the model was expected to generate an image but generated none',
	IMAGE_RECITATION: 'the image was stopped because it recited protected material',
	UNEXPECTED_TOOL_CALL: 'the model called a tool although no tools were enabled',
	TOO_MANY_TOOL_CALLS: 'the model called too many tools in a row',
	MISSING_THOUGHT_SIGNATURE: 'a function call in the history lacks its thought signature',
};

/** A stop for safety, policy or recitation reasons: content was withheld. */
export const FILTERED_FINISHES = new Set([
	'SAFETY',
	'RECITATION',
	'BLOCKLIST',
	'PROHIBITED_CONTENT',
	'SPII',
	'LANGUAGE',
	'IMAGE_SAFETY',
	'IMAGE_PROHIBITED_CONTENT',
	'IMAGE_RECITATION',
]);

/** A stop caused by something wrong with a tool call or the request. */
export const FAILED_FINISHES = new Set([
	'MALFORMED_FUNCTION_CALL',
	'UNEXPECTED_TOOL_CALL',
	'TOO_MANY_TOOL_CALLS',
	'MISSING_THOUGHT_SIGNATURE',
]);

/** `MAX_TOKENS (the answer reached Max Output Tokens)`, or the reason alone when unknown. */
export function describeFinish(reason: string): string {
	const meaning = FINISH_REASONS[reason];
	return meaning ? `${reason} (${meaning})` : reason;
}
