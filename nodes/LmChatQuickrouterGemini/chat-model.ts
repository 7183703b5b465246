/**
 * The chat model n8n's AI Agent talks to: a `BaseChatModel` of `@n8n/ai-node-sdk` whose
 * `stream` is {@link streamChat} and whose `generate` collects that same stream.
 *
 * The SDK is n8n's, found only at run time inside an n8n that ships it; the class is therefore
 * built from the loaded module, and nothing here needs the SDK to load.
 */
import type * as Sdk from '@n8n/ai-node-sdk';
import type { ISupplyDataFunctions, SupplyData } from 'n8n-workflow';
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

/** A LangChain message's content: a string, or blocks of which the text ones count. */
type MessageContent = string | Array<string | { type?: string; text?: unknown }>;

/** Google's rule of thumb: "For Gemini models, a token is equivalent to about 4 characters." */
const CHARACTERS_PER_TOKEN = 4;

/** About how many Gemini tokens `content` is (ai.google.dev/gemini-api/docs/tokens). */
export function estimatedTokens(content: MessageContent): number {
	const text =
		typeof content === 'string'
			? content
			: content
					.map((block) =>
						typeof block === 'string' ? block : typeof block.text === 'string' ? block.text : '',
					)
					.join('');
	return Math.ceil(text.length / CHARACTERS_PER_TOKEN);
}

/**
 * The supplied model counts tokens locally. LangChain's own count (which Summarization Chain's
 * map-reduce asks for before each step) downloads a tiktoken encoding from tiktoken.pages.dev:
 * an n8n without internet access retried that for 85 s before every summary, then fell back
 * to this same estimate. tiktoken is OpenAI's tokenizer, not Gemini's, so it was no more exact.
 */
export function withLocalTokenCount(supplied: SupplyData): SupplyData {
	const model = supplied.response as {
		getNumTokens?: (content: MessageContent) => Promise<number>;
	};
	if (typeof model.getNumTokens === 'function') {
		model.getNumTokens = async (content) => estimatedTokens(content);
	}
	return supplied;
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
