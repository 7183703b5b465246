/**
 * The chat model n8n's AI Agent talks to: a `BaseChatModel` of `@n8n/ai-node-sdk` whose
 * `stream` is {@link streamChat} and whose `generate` collects that same stream.
 *
 * The SDK is n8n's, found only at run time inside an n8n that ships it; the class is therefore
 * built from the loaded module, and nothing here needs the SDK to load.
 */
import type * as Sdk from '@n8n/ai-node-sdk';
import type { ISupplyDataFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ChatSettings } from './chat-settings';
import { collectChat } from './chat-collect';
import { chatRequestBody } from './chat-request';
import { streamChat } from './chat-stream';

export type AiNodeSdk = typeof Sdk;

const PROVIDER = 'quickrouter';

/** n8n hands the caller's abort signal over as `signal` (LangChain's name) or `abortSignal`. */
type CallConfig = Sdk.ChatModelConfig & { signal?: AbortSignal };

export function createChatModel(
	sdk: AiNodeSdk,
	ctx: ISupplyDataFunctions,
	settings: ChatSettings,
): Sdk.ChatModel {
	class QuickrouterGeminiChatModel extends sdk.BaseChatModel<CallConfig> {
		constructor() {
			super(PROVIDER, settings.model);
		}

		stream(messages: Sdk.Message[], config?: CallConfig): AsyncIterable<Sdk.StreamChunk> {
			const schemaOf = (tool: Sdk.Tool) =>
				sdk.getParametersJsonSchema(
					tool as Parameters<AiNodeSdk['getParametersJsonSchema']>[0],
				) as Record<string, unknown>;
			const body = chatRequestBody(settings, messages, this.tools, schemaOf);
			return streamChat(ctx, settings, body, config?.signal ?? config?.abortSignal);
		}

		async generate(messages: Sdk.Message[], config?: CallConfig): Promise<Sdk.GenerateResult> {
			return await collectChat(this.stream(messages, config));
		}
	}
	return new QuickrouterGeminiChatModel();
}

/**
 * The SDK, or an error saying which n8n the chat model needs. n8n resolves the import to its
 * own copy (a peer dependency); an older n8n has none.
 */
export async function loadSdk(ctx: ISupplyDataFunctions, itemIndex: number): Promise<AiNodeSdk> {
	try {
		return await import('@n8n/ai-node-sdk');
	} catch {
		throw new NodeOperationError(
			ctx.getNode(),
			'Quickrouter Gemini Chat Model needs n8n 2.41 or later',
			{
				itemIndex,
				description:
					'This n8n does not provide @n8n/ai-node-sdk, which chat model nodes of community packages are built on. Update n8n, or use the Quickrouter Gemini node, which works on any n8n.',
			},
		);
	}
}
