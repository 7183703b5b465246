import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { searchModels } from '../shared/parameters/list-search';
import { properties } from './description';
import { generateForItems } from './items';

export class QuickrouterGemini implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Quickrouter Gemini',
		name: 'quickrouterGemini',
		icon: {
			light: 'file:../shared/n8n/quickrouter.svg',
			dark: 'file:../shared/n8n/quickrouter.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"].cachedResultName || $parameter["model"].value }}',
		description: 'Generate text with Gemini models through Quickrouter, streamed as it is written',
		defaults: { name: 'Quickrouter Gemini' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'quickrouterApi', required: true }],
		properties,
	};

	methods = { listSearch: { searchModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await generateForItems(this)];
	}
}
