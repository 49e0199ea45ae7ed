import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FleetView } from '../src/views/fleet/fleet-view.js';
import { fail, fakeToken, ok, renderConsole, stubApi } from './render-console.js';

const sandbox = (id: string, state: string, dealershipId = 'd-console') => ({
  id,
  dealershipId,
  name: `box ${id}`,
  state,
  createdBy: 'ops-1',
  createdAt: '2026-12-02T09:00:00.000Z',
  updatedAt: '2026-12-02T09:00:00.000Z',
  pausedAt: state === 'paused' ? '2026-12-02T09:01:00.000Z' : null,
  pauseReason: state === 'paused' ? 'maintenance' : null,
  pausedBy: state === 'paused' ? 'ops-1' : null,
  pauseSource: state === 'paused' ? 'api' : null,
  settings: { autoPause: { idleTimeoutSec: 600 } },
});
const page = {
  items: [sandbox('sbx_a', 'active'), sandbox('sbx_p', 'paused', 'd-other')],
  nextCursor: null,
};

describe('Fleet view', () => {
  it('pauses one sandbox with the reason typed once for every action', async () => {
    const { bodies } = stubApi({
      'GET /api/sandbox': ok(page),
      'POST /api/sandbox/pause/sbx_a': ok(sandbox('sbx_a', 'paused')),
    });
    renderConsole(<FleetView />);
    const row = (await screen.findByText('box sbx_a')).closest('tr') as HTMLElement;
    fireEvent.change(screen.getByLabelText('Reason (for pause / resume)'), {
      target: { value: 'maintenance window' },
    });
    fireEvent.click(within(row).getByRole('button', { name: 'Pause' }));
    await waitFor(() =>
      expect(bodies.get('POST /api/sandbox/pause/sbx_a')).toEqual({ reason: 'maintenance window' }),
    );
  });

  it('reports a bulk action per sandbox: how many succeeded and why the others failed', async () => {
    stubApi({
      'GET /api/sandbox': ok(page),
      'POST /api/sandbox/bulk/pause': ok({
        results: [
          { id: 'sbx_a', success: true, state: 'paused' },
          {
            id: 'sbx_p',
            success: false,
            error: { code: 'INVALID_STATE_TRANSITION', message: 'already paused' },
          },
        ],
        summary: { requested: 2, succeeded: 1, failed: 1 },
      }),
    });
    renderConsole(<FleetView />);
    await screen.findByText('box sbx_a');
    fireEvent.click(screen.getByLabelText('Select all'));
    fireEvent.click(screen.getByRole('button', { name: 'Pause selected' }));
    const summary = await screen.findByTestId('bulk-summary');
    expect(summary.textContent).toContain('1 done, 1 failed');
    expect(summary.textContent).toContain('sbx_p: INVALID_STATE_TRANSITION');
  });

  it('shows a tool run refused with 423 as "paused — resume to run"', async () => {
    stubApi({
      'GET /api/sandbox': ok(page),
      'GET /api/sandbox/sbx_p/status': ok(sandbox('sbx_p', 'paused')),
      'GET /api/sandbox/sbx_p/pause-history': ok({ items: [], nextCursor: null }),
      'POST /api/sandbox/sbx_p/tools/execute': fail(
        423,
        'RESOURCE_LOCKED',
        'Sandbox is paused. Resume the sandbox to execute tools.',
      ),
    });
    renderConsole(<FleetView />);
    fireEvent.click(await screen.findByRole('button', { name: 'box sbx_p' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Run echo' }));
    const alert = await screen.findByText('Paused — resume to run.');
    expect(alert.closest('[role=alert]')?.textContent).toContain('RESOURCE_LOCKED · HTTP 423');
  });

  it('shows an API failure in words with its code', async () => {
    stubApi({
      'GET /api/sandbox': fail(503, 'SERVICE_UNAVAILABLE', 'No healthy instance available'),
    });
    renderConsole(<FleetView />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('No healthy instance available');
    expect(alert.textContent).toContain('SERVICE_UNAVAILABLE · HTTP 503');
  });

  it('offers the dealership filter to admins only', async () => {
    stubApi({ 'GET /api/sandbox': ok(page) });
    renderConsole(<FleetView />, { token: fakeToken('user', 'u1') });
    await screen.findByText('box sbx_a');
    expect(screen.queryByLabelText('Dealership')).toBeNull();
    expect(screen.queryByRole('columnheader', { name: 'Dealership' })).toBeNull();
  });
});
