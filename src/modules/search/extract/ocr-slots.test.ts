/**
 * The OCR slots: no more holders than slots, waiters served in order, and a waiter whose
 * signal aborts leaving the queue at once.
 */
import { describe, expect, it } from 'vitest';
import { createSlots } from './ocr-slots.js';

describe('createSlots', () => {
  it('lets no more than its size hold a slot, and serves waiters in order', async () => {
    const slots = createSlots(2);
    const first = await slots.acquire();
    const second = await slots.acquire();
    const order: string[] = [];
    const take = (name: string) =>
      slots.acquire().then((release) => {
        order.push(name);
        return release;
      });
    const third = take('third');
    const fourth = take('fourth');
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    first();
    // Releasing the same slot twice frees it once.
    first();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['third']);
    second();
    await fourth;
    expect(order).toEqual(['third', 'fourth']);
    (await third)();
  });

  it('drops a waiter whose signal aborts, without waiting for a slot', async () => {
    const slots = createSlots(1);
    const held = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    held();
    const next = await slots.acquire();
    next();
  });
});
