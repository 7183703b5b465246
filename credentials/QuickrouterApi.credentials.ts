import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

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

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.apiToken}}' },
		},
	};

	// Listing models needs a valid token and costs nothing.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ ($credentials.baseUrl || "https://api.quickrouter.ai").replace(/\\/+$/, "") }}',
			url: '/v1beta/models',
			qs: { pageSize: 1 },
		},
	};
}
