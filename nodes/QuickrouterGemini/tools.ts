/**
 * The Tools parameter -> the request's `tools` and `toolConfig`, validated per item like the
 * rest of the request.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { toolConfigFor } from '../shared/gemini/tool-combination';
import { parameterError } from '../shared/runtime/errors';
import { parseJsonParameterOf } from '../shared/parameters/json-parameter';
import { builtInToolsOf } from '../shared/parameters/readers';
import { nodeParameter } from '../shared/parameters/node-parameter';

export interface ToolFields {
	tools?: IDataObject[];
	toolConfig?: IDataObject;
}

export function toolFields(ctx: IExecuteFunctions, itemIndex: number): ToolFields {
	const input = nodeParameter(ctx, 'tools', itemIndex, {}) as IDataObject;
	const tools = builtInToolsOf(ctx, itemIndex);
	if (input.functionDeclarationsJson !== undefined && input.functionDeclarationsJson !== '') {
		const declarations = parseJsonParameterOf(
			ctx,
			itemIndex,
			'Function Declarations (JSON)',
			input.functionDeclarationsJson,
			'array',
		);
		(declarations as IDataObject[]).forEach((declaration, index) => {
			if (typeof declaration.name !== 'string' || declaration.name === '') {
				throw parameterError(
					ctx.getNode(),
					itemIndex,
					'Function Declarations (JSON)',
					`has no "name" in declaration ${index + 1}`,
					'Each declaration needs a name, e.g. {"name": "get_weather", "description": "…", "parameters": {…}}.',
				);
			}
		});
		if ((declarations as IDataObject[]).length > 0)
			tools.push({ functionDeclarations: declarations });
	}
	if (input.toolsJson !== undefined && input.toolsJson !== '') {
		tools.push(
			...(parseJsonParameterOf(
				ctx,
				itemIndex,
				'Tools (JSON)',
				input.toolsJson,
				'array',
			) as IDataObject[]),
		);
	}
	const given =
		input.toolConfig !== undefined && input.toolConfig !== ''
			? (parseJsonParameterOf(
					ctx,
					itemIndex,
					'Tool Config (JSON)',
					input.toolConfig,
					'object',
				) as IDataObject)
			: undefined;
	const toolConfig = toolConfigFor(tools, given);
	return {
		...(tools.length > 0 ? { tools } : {}),
		...(toolConfig ? { toolConfig } : {}),
	};
}
