/**
 * Live streaming to the caller: when the execution streams (a Webhook or Chat Trigger whose
 * response mode is Streaming), each answer delta is sent as it arrives, framed per item with
 * begin / item / end, the way n8n's AI Agent streams. The node's normal output is unchanged.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { candidateOf } from '../shared/gemini/candidates';
import type { GeminiResponseChunk } from '../shared/gemini/types';
import { isStreamingRun } from '../shared/runtime/context';

export interface LiveOptions {
	streamToResponse: boolean;
	streamThoughts: boolean;
}

export class LiveStream {
	private begun = false;

	private constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly itemIndex: number,
		private readonly withThoughts: boolean,
	) {}

	/** A live stream for this item, or undefined when the execution does not stream. */
	static open(
		ctx: IExecuteFunctions,
		itemIndex: number,
		options: LiveOptions,
	): LiveStream | undefined {
		if (!options.streamToResponse || !isStreamingRun(ctx)) return undefined;
		return new LiveStream(ctx, itemIndex, options.streamThoughts);
	}

	/** Sends the text of one chunk's first answer; `begin` goes out with the first text. */
	async send(chunk: GeminiResponseChunk): Promise<void> {
		for (const part of candidateOf(chunk)?.content?.parts ?? []) {
			if (typeof part.text !== 'string' || part.text === '') continue;
			if (part.thought && !this.withThoughts) continue;
			if (!this.begun) {
				this.begun = true;
				await this.ctx.sendChunk('begin', this.itemIndex);
			}
			await this.ctx.sendChunk('item', this.itemIndex, part.text);
		}
	}

	/** Closes the item's stream, if anything was sent: `end`, or `error` with the message. */
	async close(error?: Error): Promise<void> {
		if (!this.begun) return;
		this.begun = false;
		if (error) await this.ctx.sendChunk('error', this.itemIndex, error.message);
		else await this.ctx.sendChunk('end', this.itemIndex);
	}
}
