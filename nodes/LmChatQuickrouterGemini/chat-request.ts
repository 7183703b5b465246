/**
 * One chat turn's request: the SDK's messages and tools, with the node's settings, as the
 * `streamGenerateContent` body.
 */
import type { Message, Tool } from '@n8n/ai-node-sdk';

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
	return {
		...toGeminiConversation(messages),
		...(declarations.length > 0 ? { tools: [{ functionDeclarations: declarations }] } : {}),
		...(settings.safetySettings ? { safetySettings: settings.safetySettings } : {}),
		...(settings.generationConfig ? { generationConfig: settings.generationConfig } : {}),
	};
}
