/**
 * The token counts of a `usageMetadata`, each 0 where the API left it out. The prompt counts
 * what tools (search, code execution) added to it, `toolUsePromptTokenCount`, as the API
 * bills it.
 */
import type { IDataObject } from 'n8n-workflow';

export interface TokenCounts {
	prompt: number;
	candidates: number;
	thoughts: number;
	total: number;
	/** Of the prompt, read from the context cache. */
	cached: number;
}

export function tokenCounts(usage: IDataObject): TokenCounts {
	const count = (key: string) => (typeof usage[key] === 'number' ? (usage[key] as number) : 0);
	return {
		prompt: count('promptTokenCount') + count('toolUsePromptTokenCount'),
		candidates: count('candidatesTokenCount'),
		thoughts: count('thoughtsTokenCount'),
		total: count('totalTokenCount'),
		cached: count('cachedContentTokenCount'),
	};
}
