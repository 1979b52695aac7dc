/**
 * Codec throughput and size (`npm run bench:codec`): for every default codec, encode and decode speed in MB/s of
 * float32 parameters, and the compression ratio (float32 frame bytes / frame bytes), for the parameter sets of the
 * 2NN (199,210) and the CNN (1,663,370) on update-like values. Decoding is measured twice: into new arrays
 * (decodeFrame, as a client does) and added into a running sum (accumulateFrame into createAccumulators, as the
 * coordinator does). Medians of several runs; the baseline is the
 * machine's TypedArray copy bandwidth measured in the same run.
 *
 *   node --import tsx test/bench/codec.bench.ts [--runs 5]
 */
import { parseArgs } from 'node:util';
import { accumulateFrame, createAccumulators, decodeFrame, encodeFrame } from '@shoal/codec';
import { MNIST_2NN, MNIST_CNN, SAMPLE_CODECS, createRandom } from '@shoal/codec/testing';
import { totalElements, type TensorSpec } from '@shoal/protocol';
import { copyBandwidthGBs, deltaLike, fixed, medianMs, table } from './bench-support.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);

function measure(label: string, specs: readonly TensorSpec[]): void {
  const parameters = totalElements(specs);
  const megabytes = (4 * parameters) / 1e6;
  const tensors = deltaLike(specs, 3);
  const float32Bytes = encodeFrame('delta', tensors, { id: 'float32' }).length;
  // The coordinator's running sums: WebAssembly memory that the codecs' SIMD kernels add into.
  const targets = createAccumulators(specs.map((spec) => spec.shape.reduce((a, b) => a * b, 1)));
  const rows = SAMPLE_CODECS.map(({ label: codecLabel, selection }) => {
    const random = createRandom(1);
    const frame = encodeFrame('delta', tensors, selection, undefined, random.next);
    const encodeMs = medianMs(RUNS, () => encodeFrame('delta', tensors, selection, undefined, random.next));
    const decodeMs = medianMs(RUNS, () => decodeFrame(frame));
    const accumulateMs = medianMs(RUNS, () => accumulateFrame(frame, targets, 1));
    return [codecLabel, fixed(megabytes / (encodeMs / 1e3)), fixed(megabytes / (decodeMs / 1e3)), fixed(megabytes / (accumulateMs / 1e3)), frame.length.toLocaleString('en-US'), `${fixed(float32Bytes / frame.length, 2)}×`];
  });
  console.log(`\n### ${label}: ${parameters.toLocaleString('en-US')} parameters (${fixed(megabytes, 2)} MB as float32)\n`);
  console.log(table(['codec', 'encode MB/s', 'decode MB/s', 'decode-and-add MB/s', 'frame bytes', 'compression'], rows));
}

const copy = copyBandwidthGBs(totalElements(MNIST_CNN));
console.log(`codec bench: medians of ${RUNS} runs; MB/s of float32 parameters (4 bytes each) processed; decode-and-add = accumulateFrame into SIMD accumulators; compression = float32 frame bytes / frame bytes`);
console.log(`baseline, same run: TypedArray copy (Float32Array.set, CNN-sized) ${fixed(copy * 1000, 0)} MB/s`);
measure('MNIST 2NN', MNIST_2NN);
measure('MNIST CNN', MNIST_CNN);
