import type {
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { searchModels } from '../shared/parameters/list-search';
import { createChatModel, loadSdk, withLocalTokenCount } from './chat-model';
import { readChatSettings } from './chat-settings';
import { properties } from './description';

export class LmChatQuickrouterGemini implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Quickrouter Gemini Chat Model',
		name: 'lmChatQuickrouterGemini',
		icon: {
			light: 'file:../shared/n8n/quickrouter.svg',
			dark: 'file:../shared/n8n/quickrouter.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"].cachedResultName || $parameter["model"].value }}',
		description: 'Gemini models through Quickrouter, as the chat model of an AI Agent or chain',
		defaults: { name: 'Quickrouter Gemini Chat Model' },
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		outputNames: ['Model'],
		credentials: [{ name: 'quickrouterApi', required: true }],
		properties,
	};

	methods = { listSearch: { searchModels } };

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		const sdk = await loadSdk(this, itemIndex);
		const settings = readChatSettings(this, itemIndex);
		return withLocalTokenCount(sdk.supplyModel(this, createChatModel(sdk, this, settings)));
	}
}
