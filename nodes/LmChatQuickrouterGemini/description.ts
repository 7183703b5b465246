/**
 * The chat model's parameters: the main node's model, generation settings, safety settings and
 * request options, narrowed to what a chat model behind an agent uses (the generation settings
 * marked `chat` in their table). Names and defaults are the main node's, so both nodes read
 * them with the same code.
 */
import type { INodeProperties } from 'n8n-workflow';

import {
	BUILT_IN_TOOL_NAMES,
	modelProperty,
	narrowed,
	optionsCollection,
	requestOptions,
	safetySettingsProperty,
	toolsProperty,
} from '../shared/parameters/descriptions';
import { chatGenerationConfigProperty } from '../shared/parameters/generation-settings';

const CHAT_OPTIONS = [
	'cachedContent',
	'idleTimeout',
	'maxRateLimitWait',
	'maxRetries',
	'maxRetryDelay',
	'requestsPerMinute',
	'serviceTier',
	'timeout',
];

export const properties: INodeProperties[] = [
	{
		displayName:
			'Connect this node to an AI Agent or another node that takes a chat model. It needs n8n 2.41 or later.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	modelProperty,
	chatGenerationConfigProperty,
	{
		...narrowed(toolsProperty, BUILT_IN_TOOL_NAMES),
		description:
			"Google's own tools the model may use beside the agent's tools, run on Google's side (Gemini 3 models)",
	},
	safetySettingsProperty,
	narrowed(optionsCollection(requestOptions), CHAT_OPTIONS),
];
