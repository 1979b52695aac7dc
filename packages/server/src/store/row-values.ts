/** Reading SQLite row values, where SQL NULL means "absent". */
export type Row = Record<string, unknown>;

export const optionalNumber = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));
export const optionalString = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));
