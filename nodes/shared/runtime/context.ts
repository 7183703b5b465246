import type { IExecuteFunctions, ISupplyDataFunctions } from 'n8n-workflow';

/** Where node code runs: a node's `execute`, or a sub-node's `supplyData` (the chat model). */
export type NodeContext = IExecuteFunctions | ISupplyDataFunctions;

/** Whether the execution streams to an HTTP caller (n8n 1.x has no such thing on every context). */
export function isStreamingRun(ctx: object): boolean {
	const streaming = (ctx as { isStreaming?: () => boolean }).isStreaming;
	return typeof streaming === 'function' && streaming.call(ctx);
}
