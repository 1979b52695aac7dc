/** Builds every generated file of protocols/v1/conformance in memory, deterministically, from the reference code. */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION } from '@shoal/protocol';
import { writeAccumulateIndex } from './accumulate-vectors.js';
import { writeBadFrameIndex } from './bad-frame-vectors.js';
import { headerCases } from './bad-cases-header.js';
import { expectationCases, layoutCases } from './bad-cases-layout.js';
import { prefixCases } from './bad-cases-prefix.js';
import { denseValueCases } from './bad-cases-dense.js';
import { sparseValueCases } from './bad-cases-sparse.js';
import { float16Cases, float32Cases } from './frame-cases-float.js';
import { int8Cases, int8ChannelCases, qsgdCases } from './frame-cases-quantised.js';
import { randkCases, randkQsgdCases, topkCases, topkQsgdCases } from './frame-cases-sparse.js';
import { writeFrameIndex } from './frame-vectors.js';
import { writeRingVectors } from './ring-vectors.js';
import { writeShamirVectors } from './shamir-vectors.js';
import { writeSignatureVectors } from './signature-vectors.js';
import { VectorSet } from './vector-set.js';

/** The directory the files belong in, relative to the repository root. */
export const CONFORMANCE_DIRECTORY = 'protocols/v1/conformance';

/** Files in that directory that are not generated. */
export const HAND_WRITTEN: readonly string[] = ['README.md', '.gitattributes'];

/** The hand-written transcripts (kind "transcript", run against a live coordinator); the manifest lists them, the generator keeps them. */
export const TRANSCRIPT_DIRECTORY = 'transcripts';

export const isHandWritten = (path: string): boolean => HAND_WRITTEN.includes(path) || path.startsWith(`${TRANSCRIPT_DIRECTORY}/`);

/** The transcript index files, by name, as manifest paths. */
function transcriptIndexes(): string[] {
  const directory = fileURLToPath(new URL(`../../../${CONFORMANCE_DIRECTORY}/${TRANSCRIPT_DIRECTORY}/`, import.meta.url));
  if (!existsSync(directory)) return [];
  return readdirSync(directory).filter((name) => name.endsWith('.json')).sort().map((name) => `${TRANSCRIPT_DIRECTORY}/${name}`);
}

function frames(set: VectorSet): string[] {
  return [
    writeFrameIndex(set, 'float32', 'float32 (frame.md §4.1): lossless, bit for bit', float32Cases()),
    writeFrameIndex(set, 'int8', 'int8 (§4.2): a float32 scale and one signed byte per value', int8Cases()),
    writeFrameIndex(set, 'float16', 'float16 (§4.3): IEEE 754 binary16, ties to even, saturating', float16Cases()),
    writeFrameIndex(set, 'qsgd', 'qsgd (§4.4): per-block scales and packed stochastic codes', qsgdCases()),
    writeFrameIndex(set, 'topk', 'topk (§4.5, §4.6): the k largest magnitudes, float32 values', topkCases()),
    writeFrameIndex(set, 'randk', 'randk (§4.5, §4.7): k random entries scaled by n/k', randkCases()),
    writeFrameIndex(set, 'topk-qsgd', 'topk+qsgd (§4.8): top-k, kept values in qsgd', topkQsgdCases()),
    writeFrameIndex(set, 'randk-qsgd', 'randk+qsgd (§4.8): random-k scaled by n/k, kept values in qsgd', randkQsgdCases()),
    writeFrameIndex(set, 'int8-channel', 'int8-channel (§4.10): a scale per channel, value i in channel i mod C', int8ChannelCases()),
    writeAccumulateIndex(set, [
      { frame: 'float32/tiny-delta.bin', weight: 0.5, description: 'float32 at weight 0.5' },
      { frame: 'int8/tiny-delta.bin', weight: 3, description: 'int8 at weight 3' },
      { frame: 'float16/rounding-ties.bin', weight: -1.25, description: 'float16 at a negative weight' },
      { frame: 'qsgd/bits4-blocks.bin', weight: 0.375, description: 'qsgd 4 bits in blocks at weight 0.375' },
      { frame: 'topk/long-gaps.bin', weight: 2, description: 'topk: only the 3 kept entries change' },
      { frame: 'randk-qsgd/bits4-blocks.bin', weight: 0.25, description: 'randk+qsgd at weight 0.25' },
      { frame: 'int8-channel/conv-pruned.bin', weight: 1, description: 'int8-channel at weight 1' },
    ]),
  ];
}

function badFrames(set: VectorSet): string[] {
  return [
    writeBadFrameIndex(set, 'prefix', 'checks 1–9: frame size, prefix fields, header length', prefixCases()),
    writeBadFrameIndex(set, 'header', 'checks 10–16: header text and JSON, key sets, limits, tensor entries, codec and params', headerCases()),
    writeBadFrameIndex(set, 'layout', 'checks 17–18: byte lengths against the codec and the bytes present', layoutCases()),
    writeBadFrameIndex(set, 'expectations', 'checks 19–20: the kind and tensors the receiver expects', expectationCases()),
    writeBadFrameIndex(set, 'values', 'check 21, dense codecs: float32, float16, int8, qsgd', denseValueCases()),
    writeBadFrameIndex(set, 'sparse-values', 'check 21, sparse codecs and int8-channel', sparseValueCases()),
  ];
}

/** Every generated file keyed by its path under CONFORMANCE_DIRECTORY, manifest.json listing the indexes and then the transcripts. */
export function buildVectors(): Map<string, Uint8Array> {
  const set = new VectorSet();
  const indexes = [...frames(set), ...badFrames(set), ...writeSignatureVectors(set), ...writeShamirVectors(set), ...writeRingVectors(set)];
  set.json('manifest.json', {
    protocolVersion: PROTOCOL_VERSION,
    description: 'Shoal protocol v1 conformance vectors; see README.md for what each kind means and how to run it',
    generator: 'node --import tsx test/protocol/conformance/generate.ts',
    files: [...indexes, ...transcriptIndexes()],
  });
  return set.files;
}
