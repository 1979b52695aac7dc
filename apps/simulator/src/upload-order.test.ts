import { describe, expect, it } from 'vitest';
import { UploadOrder } from './upload-order.js';

describe('UploadOrder', () => {
  it('lets uploads through in client-id order whatever order they become ready in', async () => {
    const order = new UploadOrder();
    order.begin(1, ['c', 'a', 'b']);
    const released: string[] = [];

    const waits = ['c', 'b', 'a'].map((id) => order.turn(1, id).then(() => {
      released.push(id);
      order.done(1, id);
    }));
    await Promise.all(waits);

    expect(released).toEqual(['a', 'b', 'c']);
  });

  it('does not hold clients outside the order, nor rounds it never began', async () => {
    const order = new UploadOrder();
    order.begin(2, ['a', 'b']);

    await expect(order.turn(2, 'late-client')).resolves.toBeUndefined();
    await expect(order.turn(9, 'a')).resolves.toBeUndefined();
  });
});
