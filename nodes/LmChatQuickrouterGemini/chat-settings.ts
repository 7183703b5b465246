/**
 * The chat model node's parameters -> what every request of the model is made with. Read once
 * in `supplyData`, validated the same way as the main node's, errors naming the field.
 */
import type { IDataObject, ISupplyDataFunctions } from 'n8n-workflow';

import { DEFAULT_MODEL } from '../QuickrouterGemini/description';
import { type RequestOptions, readRequestOptions } from '../QuickrouterGemini/options';
import { generationConfig, normalizeModel } from '../QuickrouterGemini/request';
import { safetySettingsOf } from '../QuickrouterGemini/tools';
import { baseUrlOf } from '../QuickrouterGemini/transport';

export interface ChatSettings extends RequestOptions {
	baseUrl: string;
	model: string;
	generationConfig?: IDataObject;
	safetySettings?: IDataObject[];
	/** The item the sub-node was supplied for; errors name it. */
	itemIndex: number;
}

export async function readChatSettings(
	ctx: ISupplyDataFunctions,
	itemIndex: number,
): Promise<ChatSettings> {
	const model = normalizeModel(
		ctx,
		itemIndex,
		ctx.getNodeParameter('model', itemIndex, DEFAULT_MODEL, { extractValue: true }),
	);
	return {
		baseUrl: await baseUrlOf(ctx, itemIndex),
		model,
		generationConfig: generationConfig(ctx, itemIndex),
		safetySettings: safetySettingsOf(ctx, itemIndex),
		itemIndex,
		...readRequestOptions(ctx, itemIndex),
	};
}
