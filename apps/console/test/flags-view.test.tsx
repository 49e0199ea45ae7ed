import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FlagsView } from '../src/views/flags/flags-view.js';
import { ok, renderConsole, stubApi } from './render-console.js';

const v1 = {
  key: 'NEW_CHECKOUT',
  version: 1,
  enabled: false,
  variants: { on: true, off: false },
  defaultVariant: 'on',
  rules: [],
  updatedBy: 'ops-1',
};
const v2 = { ...v1, version: 2, enabled: true };

describe('Flags view', () => {
  it('toggles a flag with the reason typed above the list', async () => {
    const { bodies } = stubApi({
      'GET /api/flags': ok({ items: [v1] }),
      'POST /api/flags/NEW_CHECKOUT/toggle': ok(v2),
    });
    renderConsole(<FlagsView />);
    fireEvent.change(await screen.findByLabelText('Reason (recorded in the audit)'), {
      target: { value: 'launch' },
    });
    fireEvent.click(await screen.findByRole('switch', { name: 'NEW_CHECKOUT enabled' }));
    await waitFor(() =>
      expect(bodies.get('POST /api/flags/NEW_CHECKOUT/toggle')).toEqual({
        enabled: true,
        reason: 'launch',
      }),
    );
  });

  it('shows each version with its diff, rolls back, and saves a rollout percentage', async () => {
    const { bodies } = stubApi({
      'GET /api/flags': ok({ items: [v2] }),
      'GET /api/flags/NEW_CHECKOUT': ok(v2),
      'GET /api/flags/NEW_CHECKOUT/versions': ok({
        items: [
          { version: 1, flag: v1, action: 'create', actor: 'ops-1', at: '2026-12-02T09:00:00Z' },
          {
            version: 2,
            flag: v2,
            action: 'toggle',
            actor: 'ops-2',
            at: '2026-12-02T09:01:00Z',
            reason: 'launch',
          },
        ],
        total: 2,
      }),
      'GET /api/flags/NEW_CHECKOUT/audit': ok({ items: [] }),
      'POST /api/flags/NEW_CHECKOUT/rollback': ok({ ...v1, version: 3 }),
      'PUT /api/flags/NEW_CHECKOUT': ok({ ...v2, version: 3 }),
    });
    renderConsole(<FlagsView />);
    fireEvent.click(await screen.findByRole('button', { name: 'NEW_CHECKOUT' }));
    const latest = (await screen.findByText(/toggle by ops-2/)).closest('li') as HTMLElement;
    expect(within(latest).getByText('/enabled')).toBeTruthy();
    expect(within(latest).getByText('false')).toBeTruthy();
    expect(within(latest).getByText('true')).toBeTruthy();
    expect(within(latest).queryByRole('button')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Roll back to v1' }));
    await waitFor(() =>
      expect(bodies.get('POST /api/flags/NEW_CHECKOUT/rollback')).toEqual({ version: 1 }),
    );

    fireEvent.change(screen.getByLabelText(/Rollout: \d+% get/), { target: { value: '25' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rollout' }));
    await waitFor(() => expect(bodies.get('PUT /api/flags/NEW_CHECKOUT')).toBeDefined());
    expect(bodies.get('PUT /api/flags/NEW_CHECKOUT')).toMatchObject({
      version: 2,
      rules: [
        {
          constraints: [],
          rollout: {
            variants: [
              { variant: 'on', weight: 25 },
              { variant: 'off', weight: 75 },
            ],
          },
        },
      ],
    });
  });

  it('refuses rules that are not a JSON array before calling the API', async () => {
    const { calls } = stubApi({
      'GET /api/flags': ok({ items: [v2] }),
      'GET /api/flags/NEW_CHECKOUT': ok(v2),
      'GET /api/flags/NEW_CHECKOUT/versions': ok({ items: [], total: 0 }),
      'GET /api/flags/NEW_CHECKOUT/audit': ok({ items: [] }),
    });
    renderConsole(<FlagsView />);
    fireEvent.click(await screen.findByRole('button', { name: 'NEW_CHECKOUT' }));
    fireEvent.change(await screen.findByLabelText('Rules (JSON, evaluated top to bottom)'), {
      target: { value: '{"not": "an array"}' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    expect((await screen.findByText(/The rules are a JSON array/)).textContent).toContain(
      'VALIDATION_ERROR',
    );
    expect(calls.some((call) => call.startsWith('PUT'))).toBe(false);
  });
});
