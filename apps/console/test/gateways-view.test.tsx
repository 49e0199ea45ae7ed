import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { gatewayStatsFixture } from '../fixtures/contracts.js';
import { GatewaysView, STATS_PATH } from '../src/views/gateways/gateways-view.js';
import { fail, ok, renderConsole, stubApi } from './render-console.js';

describe('Gateways view (GET /api/v1/websocket/stats)', () => {
  it('shows totals, each instance with its breaker and draining state, and dealerships', async () => {
    stubApi({ [`GET ${STATS_PATH}`]: ok(gatewayStatsFixture(6)) });
    renderConsole(<GatewaysView pollMs={60_000} />);
    const draining = await screen.findByText('draining');
    expect(draining.closest('tr')?.dataset['instance']).toBe('gateway-3');
    expect(screen.getAllByText('serving')).toHaveLength(2);
    const row = draining.closest('tr') as HTMLElement;
    expect(within(row).getByText('closed')).toBeTruthy();
    const totals = gatewayStatsFixture(6).totals;
    const card = screen.getByText('Connections', { selector: 'dt' }).closest('div') as HTMLElement;
    expect(within(card).getByText(String(totals.connections))).toBeTruthy();
    expect(screen.getByLabelText('d-north connections')).toBeTruthy();
    expect(screen.getByLabelText('d-south connections')).toBeTruthy();
  });

  it('polls and charts connections and deliveries per second over the readings', async () => {
    stubApi({ [`GET ${STATS_PATH}`]: (call) => ok(gatewayStatsFixture(call))() });
    renderConsole(<GatewaysView pollMs={50} />);
    const chart = await screen.findByRole('img', {}, { timeout: 3000 });
    await screen.findByText('4 samples', { exact: false }, { timeout: 3000 });
    // Each reading 2 s later with more messages out: a positive delivery rate, not 0.
    expect(chart.getAttribute('aria-label')).toMatch(/connections: \d+, deliveries\/s: [1-9]\d*/);
    expect(chart.querySelectorAll('polyline')).toHaveLength(2);
  });

  it('says in words that the endpoint is missing when it answers 404, and stops polling', async () => {
    const { calls } = stubApi({
      [`GET ${STATS_PATH}`]: fail(404, 'RECORD_NOT_FOUND', 'Route not found'),
    });
    renderConsole(<GatewaysView pollMs={20} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('no gateway stats endpoint yet');
    expect(alert.textContent).toContain('RECORD_NOT_FOUND · HTTP 404');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(calls).toHaveLength(1);
  });

  it('shows a refusal with its code (a user token answers 403)', async () => {
    stubApi({ [`GET ${STATS_PATH}`]: fail(403, 'FORBIDDEN', 'Admins only') });
    renderConsole(<GatewaysView pollMs={60_000} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Admins only');
    expect(alert.textContent).toContain('FORBIDDEN · HTTP 403');
  });
});
