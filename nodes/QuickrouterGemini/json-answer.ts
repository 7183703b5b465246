/** JSON mode (Response MIME Type `application/json`): the answer, parsed. */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** An answer that is not JSON is an error keeping the raw text in its description. */
export function parseJsonAnswer(node: INode, text: string, itemIndex: number): IDataObject[string] {
	try {
		return JSON.parse(text) as IDataObject[string];
	} catch (error) {
		throw new NodeOperationError(
			node,
			`The answer is not valid JSON: ${(error as Error).message}`,
			{
				itemIndex,
				description: `Response MIME Type is application/json, but the model answered:\n${text}`,
			},
		);
	}
}
