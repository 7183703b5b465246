/**
 * One chat turn's request: the SDK's messages and tools, with the node's settings, as the
 * `streamGenerateContent` body. Google's own tools the node switches on go first, beside the
 * agent's functions.
 */
import type { Message, Tool } from '@n8n/ai-node-sdk';

import { toolConfigFor } from '../shared/gemini/tool-combination';
import type { GenerateContentRequest } from '../shared/gemini/types';
import { type SchemaOf, toFunctionDeclarations, toGeminiConversation } from './chat-messages';
import type { ChatSettings } from './chat-settings';

export function chatRequestBody(
	settings: ChatSettings,
	messages: Message[],
	tools: Tool[],
	schemaOf: SchemaOf,
): GenerateContentRequest {
	const declarations = toFunctionDeclarations(tools, schemaOf);
	const geminiTools = [
		...(settings.builtInTools ?? []),
		...(declarations.length > 0 ? [{ functionDeclarations: declarations }] : []),
	];
	const toolConfig = toolConfigFor(geminiTools, undefined);
	return {
		...toGeminiConversation(messages),
		...(geminiTools.length > 0 ? { tools: geminiTools } : {}),
		...(toolConfig ? { toolConfig } : {}),
		...(settings.safetySettings ? { safetySettings: settings.safetySettings } : {}),
		...(settings.generationConfig ? { generationConfig: settings.generationConfig } : {}),
		// With a cache, the agent's system message and tools make the API refuse the request
		// (they belong in the cache); its own message says so, and reaches the agent as it is.
		...settings.requestFields,
	};
}
