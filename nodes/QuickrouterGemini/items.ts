/**
 * The item loop and its error policy: up to `concurrency` items in flight, output in input
 * order, each item paired with its input. With Continue On Fail a failed item becomes an
 * error item in its place; without it, the first failing item (in input order) stops the node.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { blockReasonOf } from '../shared/runtime/blocked-prompt';
import { isStreamingRun } from '../shared/runtime/context';
import { forStreamingCaller } from '../shared/runtime/errors';
import { generateForItem } from './generate';
import { RunSummary } from './hints';
import { readConcurrency } from './options';

/**
 * n8n sends an item to the node's error output only when its json has no keys besides
 * `error` and `message` (n8n 1.x and 2.x alike; setting the item's own `error` would make n8n
 * drop everything but the message), so the hint and any partial text go in `message`.
 */
function errorItem(
	error: NodeApiError | NodeOperationError,
	itemIndex: number,
): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (typeof error.description === 'string' && error.description !== '') {
		json.message = error.description;
	}
	return { json, pairedItem: { item: itemIndex } };
}

function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number) {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

export async function generateForItems(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const itemCount = ctx.getInputData().length;
	const concurrency = Math.min(readConcurrency(ctx), itemCount);
	const cancel = ctx.getExecutionCancelSignal();
	const results: INodeExecutionData[][] = new Array(itemCount);
	const summary = new RunSummary();
	const inFlight = new Map<number, AbortController>();
	let firstFailure: { itemIndex: number; error: NodeApiError | NodeOperationError } | undefined;
	let next = 0;

	const runItem = async (itemIndex: number) => {
		const controller = new AbortController();
		const stop = () => controller.abort();
		cancel?.addEventListener('abort', stop, { once: true });
		inFlight.set(itemIndex, controller);
		const produced: INodeExecutionData[] = [];
		try {
			const { model, answer } = await generateForItem(ctx, itemIndex, produced, {
				concurrency,
				signal: controller.signal,
			});
			summary.addAnswer(itemIndex, answer, model);
			results[itemIndex] = produced;
		} catch (error) {
			// Stopped on purpose (execution cancelled, or an earlier item failed): not its failure.
			if (controller.signal.aborted) return;
			const nodeError = asNodeError(ctx, error, itemIndex);
			const blockReason = blockReasonOf(nodeError);
			if (blockReason) summary.addBlocked(itemIndex, blockReason);
			if (ctx.continueOnFail()) {
				results[itemIndex] = [...produced, errorItem(nodeError, itemIndex)];
			} else if (!firstFailure || itemIndex < firstFailure.itemIndex) {
				// Report what a one-by-one run would: items before this one still finish.
				firstFailure = { itemIndex, error: nodeError };
				for (const [index, other] of inFlight) if (index > itemIndex) other.abort();
			}
		} finally {
			inFlight.delete(itemIndex);
			cancel?.removeEventListener('abort', stop);
		}
	};

	const worker = async () => {
		while (next < itemCount) {
			const itemIndex = next++;
			if (cancel?.aborted || (firstFailure && itemIndex > firstFailure.itemIndex)) return;
			await runItem(itemIndex);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));

	if (firstFailure) {
		throw isStreamingRun(ctx) ? forStreamingCaller(firstFailure.error) : firstFailure.error;
	}
	summary.report(ctx);
	return results.flatMap((items) => items ?? []);
}
