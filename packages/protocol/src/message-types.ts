/** The protocols/v1 message names and their TypeScript types, as types only (safe to import in a browser). */
import type { ProtocolV1Messages } from './generated/wire-types.js';

export type MessageName = Exclude<keyof ProtocolV1Messages, 'common'>;
export type MessageOf<N extends MessageName> = NonNullable<ProtocolV1Messages[N]>;
