/**
 * Candidates are identified by their `index`, not by their position in a chunk: a chunk may
 * carry only some candidates, in any order. Gemini leaves `index` out for the first one.
 */
import type { GeminiCandidate, GeminiResponseChunk } from './types';

/** The candidate of a chunk with the given index (the first answer by default). */
export function candidateOf(chunk: GeminiResponseChunk, index = 0): GeminiCandidate | undefined {
	return chunk.candidates?.find((candidate) => (candidate.index ?? 0) === index);
}
