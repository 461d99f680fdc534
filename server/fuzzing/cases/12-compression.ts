// Categories 12 and 13, permessage-deflate (RFC 7692): placeholder until
// the compression cases land; the catalog imports these names.
import type { CaseSpec } from './types.ts';

export const COMPRESSION_CASES: CaseSpec[] = [];
export const COMPRESSION_SUBCATEGORIES: Record<string, string> = {};
