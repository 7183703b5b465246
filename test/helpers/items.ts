/** The index of the input item an output item is paired with. */
export const pairedIndex = (item: { pairedItem?: unknown }): number =>
	(item.pairedItem as { item: number }).item;
