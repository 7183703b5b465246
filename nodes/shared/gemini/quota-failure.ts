/**
 * Which quota a 429 names. Google's RESOURCE_EXHAUSTED carries a `google.rpc.QuotaFailure`
 * detail whose violations say which quota ran out: `quotaId` (e.g.
 * `GenerateRequestsPerDayPerProjectPerModel-FreeTier`), `quotaMetric`, `quotaValue` (a string)
 * and `quotaDimensions` (`model`, `location`). Gemini counts quotas per project and per model,
 * per minute or per day (https://ai.google.dev/gemini-api/docs/rate-limits); the period and
 * what is counted are read from the id, as Google spells it in its public 429 bodies.
 */
import { isPlainObject } from './json';
import type { GoogleRpcError } from './types';

export interface QuotaViolation {
	quotaId?: string;
	quotaMetric?: string;
	/** The quota's size, e.g. "20"; Google sends it as a string. */
	quotaValue?: string;
	/** The model the quota counts, from `quotaDimensions.model`. */
	model?: string;
	period?: 'minute' | 'day';
	counts?: 'requests' | 'input tokens' | 'tokens';
}

const QUOTA_FAILURE_TYPE = 'type.googleapis.com/google.rpc.QuotaFailure';

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

function periodOf(id: string): QuotaViolation['period'] {
	if (/PerDay/i.test(id)) return 'day';
	if (/PerMinute/i.test(id)) return 'minute';
	return undefined;
}

function countsOf(id: string, metric: string): QuotaViolation['counts'] {
	const name = `${id} ${metric}`;
	if (/input_?tokens?|InputTokens?/i.test(name)) return 'input tokens';
	if (/tokens?/i.test(name)) return 'tokens';
	if (/requests?/i.test(name)) return 'requests';
	return undefined;
}

/** The violations of the QuotaFailure details of an error, in the order Google lists them. */
export function quotaViolationsOf(error: GoogleRpcError | undefined): QuotaViolation[] {
	const violations: QuotaViolation[] = [];
	for (const detail of error?.details ?? []) {
		if (!isPlainObject(detail) || detail['@type'] !== QUOTA_FAILURE_TYPE) continue;
		const entries = Array.isArray(detail.violations) ? detail.violations : [];
		for (const entry of entries) {
			if (!isPlainObject(entry)) continue;
			const quotaId = text(entry.quotaId);
			const quotaMetric = text(entry.quotaMetric);
			const dimensions = isPlainObject(entry.quotaDimensions) ? entry.quotaDimensions : {};
			const value = entry.quotaValue;
			violations.push({
				quotaId,
				quotaMetric,
				quotaValue: typeof value === 'number' ? String(value) : text(value),
				model: text(dimensions.model),
				period: periodOf(quotaId ?? ''),
				counts: countsOf(quotaId ?? '', quotaMetric ?? ''),
			});
		}
	}
	return violations;
}

/** The first violation of a quota counted per day: waiting seconds does not bring it back. */
export function dailyViolationOf(violations: QuotaViolation[]): QuotaViolation | undefined {
	return violations.find((violation) => violation.period === 'day');
}

/** The size of the requests-per-minute quota among the violations, if one is named. */
export function requestsPerMinuteOf(violations: QuotaViolation[]): number | undefined {
	const violation = violations.find(
		(entry) => entry.period === 'minute' && entry.counts === 'requests',
	);
	const value = Number(violation?.quotaValue);
	return Number.isInteger(value) && value > 0 ? value : undefined;
}
