/** The Model parameter's From List: the models the token can use, found as the user types. */
import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listModels } from '../transport/models';

/** Models that can answer `streamGenerateContent`, filtered by the search text. */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const needle = filter?.trim().toLowerCase() ?? '';
	const results = (await listModels(this))
		.filter((model) => {
			const methods = model.supportedGenerationMethods;
			// A relay may omit the field; then every listed model is offered.
			return (
				!methods || methods.includes('generateContent') || methods.includes('streamGenerateContent')
			);
		})
		.map((model) => {
			const id = model.name.replace(/^models\//, '');
			return { name: model.displayName ? `${model.displayName} (${id})` : id, value: id };
		})
		.filter((model) => needle === '' || model.name.toLowerCase().includes(needle))
		.sort((a, b) => a.name.localeCompare(b.name));
	return { results };
}
