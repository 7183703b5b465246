import type { IExecuteFunctions, ISupplyDataFunctions } from 'n8n-workflow';

/** Where node code runs: a node's `execute`, or a sub-node's `supplyData` (the chat model). */
export type NodeContext = IExecuteFunctions | ISupplyDataFunctions;
