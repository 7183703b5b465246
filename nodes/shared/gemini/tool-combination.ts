/**
 * Google's own tools (run on Google's side) next to the caller's function declarations. Gemini 3
 * takes both in one request only with `toolConfig.includeServerSideToolInvocations`, and
 * refuses the request without it: "Please enable tool_config.include_server_side_tool_invocations
 * to use Built-in tools with Function calling."
 * (https://ai.google.dev/gemini-api/docs/generate-content/tool-combination).
 */
import type { IDataObject } from 'n8n-workflow';

import type { GeminiPart } from './types';

/** The Tool fields that are Google's own tools (the API reference's Tool, less functions). */
const BUILT_IN_TOOLS = [
	'googleSearch',
	'googleSearchRetrieval',
	'codeExecution',
	'urlContext',
	'googleMaps',
	'fileSearch',
	'computerUse',
];

/** The parts of Google's own tool steps in a model turn; each comes signed from Gemini 3. */
const SERVER_SIDE_PARTS = ['toolCall', 'toolResponse', 'executableCode', 'codeExecutionResult'];

const isBuiltIn = (tool: IDataObject) => BUILT_IN_TOOLS.some((name) => tool[name] !== undefined);

const hasFunctions = (tool: IDataObject) =>
	Array.isArray(tool.functionDeclarations) && tool.functionDeclarations.length > 0;

/**
 * The request's `toolConfig`, with `includeServerSideToolInvocations` turned on when `tools`
 * holds built-in tools and functions and the caller did not set it either way.
 */
export function toolConfigFor(
	tools: IDataObject[] | undefined,
	toolConfig: IDataObject | undefined,
): IDataObject | undefined {
	const combined = (tools ?? []).some(isBuiltIn) && (tools ?? []).some(hasFunctions);
	if (!combined || toolConfig?.includeServerSideToolInvocations !== undefined) return toolConfig;
	return { ...toolConfig, includeServerSideToolInvocations: true };
}

/** Whether a part is a step of one of Google's own tools (a search, a code run…). */
export function isServerSidePart(part: GeminiPart): boolean {
	return SERVER_SIDE_PARTS.some((name) => part[name] !== undefined);
}
