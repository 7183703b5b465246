/**
 * The chat model node's parameters -> what every request of the model is made with. Read once
 * in `supplyData`, validated the same way as the main node's, errors naming the field.
 */
import type { IDataObject, ISupplyDataFunctions } from 'n8n-workflow';

import type { GenerateContentRequest } from '../shared/gemini/types';
import { generationConfig } from '../shared/parameters/generation-settings';
import {
	builtInToolsOf,
	readModel,
	readRequestOptions,
	requestFieldsOf,
	safetySettingsOf,
} from '../shared/parameters/readers';
import type { RequestOptions } from '../shared/transport/generate-stream';

export interface ChatSettings extends RequestOptions {
	model: string;
	generationConfig?: IDataObject;
	safetySettings?: IDataObject[];
	/** Google's own tools switched on (`{ googleSearch: {} }`…), sent beside the agent's. */
	builtInTools?: IDataObject[];
	/** Service Tier and Cached Content, sent at the top level of every request when set. */
	requestFields: Pick<GenerateContentRequest, 'cachedContent' | 'serviceTier'>;
	/** The item the sub-node was supplied for; errors name it. */
	itemIndex: number;
}

export function readChatSettings(ctx: ISupplyDataFunctions, itemIndex: number): ChatSettings {
	return {
		model: readModel(ctx, itemIndex),
		generationConfig: generationConfig(ctx, itemIndex),
		safetySettings: safetySettingsOf(ctx, itemIndex),
		builtInTools: builtInToolsOf(ctx, itemIndex),
		requestFields: requestFieldsOf(ctx, itemIndex),
		itemIndex,
		...readRequestOptions(ctx, itemIndex),
	};
}
