import { describe, expect, it } from 'vitest';
import { createRunSlots } from './run-slots.js';

describe('run slots', () => {
  it('caps one dealership at its share and turns it away at once beyond it', async () => {
    const slots = createRunSlots({ capacity: 4, tenantShare: 0.5 });
    expect(slots.tenantMax).toBe(2);
    await slots.acquire('x', 's1');
    await slots.acquire('x', 's1');
    expect(slots.acquire('x', 's1')).toBeUndefined();
    expect(slots.acquire('y', 's2')).toBeDefined();
  });

  it('gives every dealership at least one slot however small the share', () => {
    expect(createRunSlots({ capacity: 4, tenantShare: 0.01 }).tenantMax).toBe(1);
  });

  it('admits waiting executions first come, first served as slots free up', async () => {
    const slots = createRunSlots({ capacity: 2, tenantShare: 1 });
    const first = await slots.acquire('x', 's1')!;
    await slots.acquire('y', 's2');
    const order: string[] = [];
    void slots.acquire('z', 's3')!.then(() => order.push('z'));
    void slots.acquire('w', 's4')!.then(() => order.push('w'));
    first.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['z']);
    expect(slots.running()).toBe(2);
  });

  it('releases the slots of a frozen sandbox to waiting work and takes them back on thaw', async () => {
    const slots = createRunSlots({ capacity: 1, tenantShare: 1 });
    await slots.acquire('x', 'paused-sandbox');
    let admitted = false;
    void slots.acquire('y', 'other')!.then(() => (admitted = true));
    slots.setFrozen('paused-sandbox', true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(admitted).toBe(true);
    slots.setFrozen('paused-sandbox', false);
    expect(slots.running()).toBe(2);
  });

  it('starts an execution of an already frozen sandbox without a slot', async () => {
    const slots = createRunSlots({ capacity: 1, tenantShare: 1 });
    slots.setFrozen('paused-sandbox', true);
    await slots.acquire('x', 'paused-sandbox');
    expect(slots.running()).toBe(0);
  });
});
