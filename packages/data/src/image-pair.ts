/** The checks an MNIST-family pair of IDX files (28×28 images and their labels) must pass before use. */
import { ShoalError } from '@shoal/protocol';

/** Raw bytes of a split: pixels (count × 784, row-major) and one label per image. */
export interface ImageBytes {
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
}

type Idx = { dims: number[]; data: Uint8Array };

export function checkImagePair(name: string, images: Idx, labels: Idx, numClasses: number): ImageBytes {
  const [count = 0, rows, columns] = images.dims;
  if (images.dims.length !== 3 || rows !== 28 || columns !== 28) {
    throw new ShoalError('VALIDATION_FAILED', `${name} images have dimensions ${images.dims.join('x')}, expected Nx28x28`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== count) {
    throw new ShoalError('VALIDATION_FAILED', `${name} labels have dimensions ${labels.dims.join('x')}, expected ${count}`);
  }
  if (labels.data.some((label) => label >= numClasses)) {
    throw new ShoalError('VALIDATION_FAILED', `${name} labels contain a value outside 0..${numClasses - 1}`);
  }
  return { pixels: images.data, labels: labels.data, count };
}
