/**
 * The model turns that n8n's agent cannot carry whole. With Google's own tools next to the
 * agent's, a Gemini 3 turn holds the steps of those tools (`toolCall` and `toolResponse` of a
 * search, `executableCode` and `codeExecutionResult` of a code run), each signed, beside the
 * function calls; Google asks for every part back "as they appear in the response"
 * (https://ai.google.dev/gemini-api/docs/generate-content/tool-combination), and refuses a
 * `toolCall` part without its signature. The agent rebuilds the model's message from its text
 * and tool calls only, so such a turn is remembered here whole, by the signature of its first
 * function call (Gemini 3 signs the first call of every step), and put back in its place when
 * the agent sends that call again.
 *
 * Kept in this n8n process, at most {@link MAX_TURNS}, each for {@link KEEP_MS}: an agent's
 * tool loop runs in one execution, so its steps are always found. An earlier chat message that
 * memory brings back in another process (queue mode) or after a restart goes without Google's
 * tool steps, as a turn with text and function calls only; nothing unsigned is ever sent.
 */
import { createHash } from 'node:crypto';

import { isServerSidePart } from '../shared/gemini/tool-combination';
import type { GeminiContent, GeminiPart } from '../shared/gemini/types';

const MAX_TURNS = 500;

const KEEP_MS = 60 * 60 * 1000;

interface RememberedTurn {
	parts: GeminiPart[];
	/** The names of the turn's function calls, in order: the agent's turn must have the same. */
	calls: string;
	at: number;
}

const turns = new Map<string, RememberedTurn>();

const keyOf = (signature: string) => createHash('sha256').update(signature).digest('hex');

const callNames = (parts: GeminiPart[]) =>
	parts
		.filter((part) => part.functionCall)
		.map((part) => part.functionCall?.name ?? '')
		.join('\n');

const firstSignedCall = (parts: GeminiPart[]) =>
	parts.find((part) => part.functionCall)?.thoughtSignature;

/** Remembers a model turn of Google's tool steps and function calls, as Gemini sent it. */
export function rememberTurn(parts: GeminiPart[]): void {
	const signature = firstSignedCall(parts);
	if (signature === undefined || !parts.some(isServerSidePart)) return;
	const now = Date.now();
	for (const [key, turn] of turns) {
		if (turns.size < MAX_TURNS && now - turn.at < KEEP_MS) break;
		turns.delete(key);
	}
	turns.set(keyOf(signature), { parts, calls: callNames(parts), at: now });
}

/** The model turn as Gemini sent it, when it was remembered; else the turn as it is. */
export function restoreTurn(turn: GeminiContent): GeminiContent {
	const parts = turn.parts ?? [];
	const signature = turn.role === 'model' ? firstSignedCall(parts) : undefined;
	const remembered = signature === undefined ? undefined : turns.get(keyOf(signature));
	if (!remembered || Date.now() - remembered.at >= KEEP_MS) return turn;
	if (remembered.calls !== callNames(parts)) return turn;
	return { ...turn, parts: remembered.parts };
}
