/**
 * The item loop and its error policy: one answer per input item, in input order, each paired
 * with its input. With Continue On Fail a failed item becomes an error item in its place.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { generateForItem } from './generate';

/**
 * n8n sends an item to the node's error output only when its json has no keys besides
 * `error`, `message` and `details`, so everything else about the failure goes in `details`.
 */
function errorItem(error: NodeApiError | NodeOperationError, itemIndex: number): INodeExecutionData {
	const details: IDataObject = {};
	if (error.description) details.description = error.description;
	if (error instanceof NodeApiError && error.httpCode) details.httpCode = error.httpCode;
	const json: IDataObject = { error: error.message };
	if (Object.keys(details).length > 0) json.details = details;
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
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		// A stopped execution starts no further request.
		if (ctx.getExecutionCancelSignal()?.aborted) break;
		const produced: INodeExecutionData[] = [];
		try {
			await generateForItem(ctx, itemIndex, produced);
			output.push(...produced);
		} catch (error) {
			const nodeError = asNodeError(ctx, error, itemIndex);
			if (!ctx.continueOnFail()) throw nodeError;
			output.push(...produced, errorItem(nodeError, itemIndex));
		}
	}
	return output;
}
