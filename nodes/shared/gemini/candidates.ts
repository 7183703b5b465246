/**
 * Candidates are identified by their `index`, not by their position in a chunk: a chunk may
 * carry only some candidates, in any order. Gemini leaves `index` out for the first one.
 */
import type { GeminiCandidate, GeminiResponseChunk } from './types';

/** The first answer's candidate of a chunk: the one with index 0 (or no index). */
export function candidateOf(chunk: GeminiResponseChunk): GeminiCandidate | undefined {
	return chunk.candidates?.find((candidate) => (candidate.index ?? 0) === 0);
}
