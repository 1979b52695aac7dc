/**
 * In-place selection (Hoare/Wirth quickselect) on a reused column, so per-coordinate order statistics need neither a
 * sort nor an allocation per coordinate. Equal values (sparse updates are mostly zeros) stop both scans, which keeps
 * the partitions balanced where a one-sided partition would go quadratic.
 */

/**
 * Rearranges column[from, to) so that column[k] holds the value a sort would put there, with no larger value before
 * it and no smaller value after it.
 */
export function selectInPlace(column: Float64Array, from: number, to: number, k: number): void {
  if (!(k >= from && k < to)) throw new RangeError(`k = ${k} is outside [${from}, ${to})`);
  let left = from;
  let right = to - 1;
  while (right - left > 16) {
    const pivot = medianOfThree(column[left]!, column[(left + right) >>> 1]!, column[right]!);
    let i = left;
    let j = right;
    while (i <= j) {
      while (column[i]! < pivot) i++;
      while (pivot < column[j]!) j--;
      if (i <= j) {
        const swap = column[i]!;
        column[i] = column[j]!;
        column[j] = swap;
        i++;
        j--;
      }
    }
    // [left, j] ≤ pivot ≤ [i, right]; anything strictly between j and i equals the pivot.
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
  insertionSort(column, left, right);
}

function medianOfThree(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

function insertionSort(column: Float64Array, left: number, right: number): void {
  for (let i = left + 1; i <= right; i++) {
    const value = column[i]!;
    let j = i - 1;
    while (j >= left && column[j]! > value) {
      column[j + 1] = column[j]!;
      j--;
    }
    column[j + 1] = value;
  }
}
