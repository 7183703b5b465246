import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { authenticateRequest, MODELS_PATH } from '../nodes/shared/transport/credentials';

export class QuickrouterApi implements ICredentialType {
	name = 'quickrouterApi';

	displayName = 'Quickrouter API';

	icon = {
		light: 'file:../nodes/shared/n8n/quickrouter.svg',
		dark: 'file:../nodes/shared/n8n/quickrouter.dark.svg',
	} as const;

	documentationUrl = 'https://github.com/n8n-nodes-quickrouter/n8n-nodes-quickrouter#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Your Quickrouter token; it is sent only in the Authorization header',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.quickrouter.ai',
			description: 'Where the API lives; change it only to go through a proxy or a local stand-in',
		},
	];

	// A function, not a generic block: n8n's declarative Test runs no code of ours but this, so
	// the node's Base URL rules and the model list's deadline come in here.
	authenticate = authenticateRequest;

	// Listing models needs a valid token and costs nothing. A redirect is not followed (the
	// token would go along to wherever it points) but reported.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ ($credentials.baseUrl || "https://api.quickrouter.ai").replace(/\\/+$/, "") }}',
			url: MODELS_PATH,
			qs: { pageSize: 1 },
			disableFollowRedirect: true,
		},
		rules: [301, 302, 303, 307, 308].map((value) => ({
			type: 'responseCode' as const,
			properties: {
				value,
				message: `The Base URL answers with a redirect (HTTP ${value}), which is not followed so that the token is not sent elsewhere. Set the Base URL to the address it redirects to.`,
			},
		})),
	};
}
