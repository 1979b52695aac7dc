/**
 * Error feedback (Seide et al. 2014; Karimireddy et al. 2019): the client keeps what compression
 * dropped from its last upload and adds it to the next update, so biased compressors such as
 * top-k still converge. The residual is kept on the device (residual.bin in the state directory),
 * so it survives an agent restart; it belongs to one job and is reset for any other. Where it goes among the
 * norm bounds and DP noise, and why it never holds noise, is prepare-upload.ts's rule.
 *
 * residual.bin: "SHER" | version 1 | job id length J (1 byte) | job id (J bytes, ASCII) |
 * a frame of kind delta in codec float32 holding the residual tensors in model order.
 */
import { ShoalError, type NamedTensor } from '@shoal/protocol';
import { accumulateFrame, decodeFrame, encodeFrame, type CodecRegistry } from '@shoal/codec';
import type { ClientStateStore } from './client-state.js';

export const RESIDUAL_FILE = 'residual.bin';
const MAGIC = [0x53, 0x48, 0x45, 0x52];
const VERSION = 1;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

interface Residual {
  jobId: string;
  tensors: NamedTensor[];
}

function specsOf(tensors: readonly NamedTensor[]): { name: string; shape: number[] }[] {
  return tensors.map(({ name, shape }) => ({ name, shape }));
}

/**
 * Parses residual.bin for `jobId`: undefined when it holds another job's residual, which is simply
 * superseded; throws a ShoalError saying what is wrong when it is unreadable or does not fit the model.
 */
export function parseResidualFile(bytes: Uint8Array, jobId: string, model: readonly NamedTensor[], codecs: CodecRegistry): NamedTensor[] | undefined {
  if (bytes.length < 7 || !MAGIC.every((byte, index) => bytes[index] === byte)) throw new ShoalError('FRAME_MALFORMED', 'not a residual file (bad magic)');
  if (bytes[4] !== VERSION) throw new ShoalError('FRAME_MALFORMED', `residual file version ${bytes[4]} is not ${VERSION}`);
  const idLength = bytes[5]!;
  const storedJob = new TextDecoder().decode(bytes.subarray(6, 6 + idLength));
  if (!ID_PATTERN.test(storedJob) || 6 + idLength > bytes.length) throw new ShoalError('FRAME_MALFORMED', 'residual file has no valid job id');
  if (storedJob !== jobId) return undefined;
  const frame = decodeFrame(bytes.subarray(6 + idLength), { registry: codecs, expected: specsOf(model), expectedKind: 'delta' });
  if (frame.header.codec.id !== 'float32') throw new ShoalError('FRAME_MALFORMED', `residual frame is in codec '${frame.header.codec.id}', not float32`);
  return frame.tensors;
}

export function residualFileBytes(jobId: string, tensors: readonly NamedTensor[], codecs: CodecRegistry): Uint8Array {
  const id = new TextEncoder().encode(jobId);
  const frame = encodeFrame('delta', tensors, { id: 'float32' }, codecs);
  const bytes = new Uint8Array(6 + id.length + frame.length);
  bytes.set(MAGIC, 0);
  bytes[4] = VERSION;
  bytes[5] = id.length;
  bytes.set(id, 6);
  bytes.set(frame, 6 + id.length);
  return bytes;
}

export class ErrorFeedback {
  private residual: Residual | undefined;
  private loadedFromDevice = false;

  constructor(
    private readonly codecs: CodecRegistry,
    private readonly store: ClientStateStore | undefined,
    private readonly warn: (message: string) => void,
  ) {}

  /** Adds the job's residual into `delta` in place and returns it; a residual of another job or model is dropped. */
  compensate(jobId: string, delta: NamedTensor[]): NamedTensor[] {
    const residual = this.residualFor(jobId, delta);
    if (residual === undefined) return delta;
    delta.forEach((tensor, t) => {
      const values = residual[t]!.values;
      for (let i = 0; i < values.length; i++) tensor.values[i]! += values[i]!;
    });
    return delta;
  }

  /**
   * After the coordinator accepted an upload: `frame` is the encoding of `corrected` (the clipped update before any
   * noise); the new residual is corrected − decode(frame), computed in place in `corrected` (which the caller gives
   * up), and written to the device.
   */
  commit(jobId: string, corrected: NamedTensor[], frame: Uint8Array): void {
    accumulateFrame(frame, corrected.map((tensor) => tensor.values), -1, { registry: this.codecs, expected: specsOf(corrected), expectedKind: 'delta' });
    this.residual = { jobId, tensors: corrected };
    this.store?.writeFile(RESIDUAL_FILE, residualFileBytes(jobId, corrected, this.codecs));
  }

  private residualFor(jobId: string, model: readonly NamedTensor[]): NamedTensor[] | undefined {
    if (this.residual?.jobId !== jobId && !this.loadedFromDevice) {
      this.loadedFromDevice = true;
      const tensors = this.loadFromDevice(jobId, model);
      this.residual = tensors === undefined ? undefined : { jobId, tensors };
    }
    const residual = this.residual;
    if (residual === undefined || residual.jobId !== jobId) return undefined;
    const fits = residual.tensors.length === model.length && residual.tensors.every((tensor, t) => tensor.values.length === model[t]!.values.length);
    if (!fits) {
      this.warn(`error-feedback residual of job ${jobId} does not fit the model; starting from zero`);
      this.residual = undefined;
      return undefined;
    }
    return residual.tensors;
  }

  private loadFromDevice(jobId: string, model: readonly NamedTensor[]): NamedTensor[] | undefined {
    try {
      const bytes = this.store?.readFile(RESIDUAL_FILE);
      return bytes === undefined ? undefined : parseResidualFile(bytes, jobId, model, this.codecs);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.warn(`ignoring the error-feedback residual in ${this.store?.pathOf(RESIDUAL_FILE)}: ${reason}; starting from zero`);
      return undefined;
    }
  }
}
