/** One malformed frame and the code a decoder must refuse it with. */
import type { ErrorCode } from '@shoal/protocol';
import type { DecodeFrameOptions } from '../decode-frame.js';

export interface BadFrame {
  label: string;
  bytes: Uint8Array;
  code: ErrorCode;
  /** 'header': readFrameHeader already refuses it; 'decode': only decoding values or expectations do. */
  stage: 'header' | 'decode';
  /** Whether the header JSON passes the schema in protocols/v1/frame.md; absent when there is no parseable header. */
  headerMatchesSchema?: boolean;
  options?: DecodeFrameOptions;
}
