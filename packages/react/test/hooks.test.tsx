import type { SwitchboardClient } from '@switchboard/client';
import { act, render, renderHook, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FlagSource,
  SwitchboardProvider,
  useConnectionState,
  useEvent,
  useFlag,
  useRoom,
} from '../src/index.js';
import { type LiveServices, startLiveServices } from './live-services.js';

const wrapperFor =
  (client: SwitchboardClient, flags?: FlagSource) =>
  ({ children }: { children: ReactNode }) => (
    <SwitchboardProvider client={client} {...(flags ? { flags } : {})}>
      {children}
    </SwitchboardProvider>
  );

const projectEvent = (n: number) => ({
  room: 'dealership:d1',
  dealershipId: 'd1',
  event: 'project.updated' as const,
  data: { projectId: 'p1', changes: { n } },
});

describe('hooks against real gateways', () => {
  let live: LiveServices;

  beforeAll(async () => {
    live = await startLiveServices({ gateways: 2, flags: true });
  }, 60_000);
  afterAll(async () => {
    await live?.close();
  });

  it('useConnectionState follows the client from idle to open', async () => {
    const client = live.client(live.token('u-state', 'd1'));
    const { result } = renderHook(() => useConnectionState(), { wrapper: wrapperFor(client) });
    expect(result.current).toBe('idle');
    await act(() => client.connect());
    expect(result.current).toBe('open');
  });

  it('useRoom subscribes, keeps the newest events first and filters by type', async () => {
    const client = live.client(live.token('u-room', 'd1'));
    await client.connect();
    const { result } = renderHook(() => useRoom('dealership:d1', { events: ['project.updated'] }), {
      wrapper: wrapperFor(client),
    });
    await waitFor(() => expect(result.current.subscribed).toBe(true));
    await live.publisher.publish({
      room: 'dealership:d1',
      dealershipId: 'd1',
      event: 'project.created',
      data: { projectId: 'p1', name: 'skipped by the filter' },
    });
    for (const n of [1, 2]) await live.publisher.publish(projectEvent(n));
    await waitFor(() => expect(result.current.events).toHaveLength(2));
    expect(result.current.events.map((item) => item.data)).toEqual([
      { projectId: 'p1', changes: { n: 2 } },
      { projectId: 'p1', changes: { n: 1 } },
    ]);
    expect(result.current.events[0]?.meta.seq).toBeGreaterThan(result.current.events[1]!.meta.seq);
  });

  it('useRoom filters the room on the gateway, widened while another component in the room wants every type', async () => {
    const client = live.client(live.token('u-union', 'd1'));
    await client.connect();
    const wrapper = wrapperFor(client);
    const filtered = renderHook(() => useRoom('dealership:d1', { events: ['project.updated'] }), {
      wrapper,
    });
    await waitFor(() => expect(filtered.result.current.subscribed).toBe(true));
    const everything = renderHook(() => useRoom('dealership:d1'), { wrapper });
    await waitFor(() => expect(everything.result.current.subscribed).toBe(true));
    const created = {
      room: 'dealership:d1',
      dealershipId: 'd1',
      event: 'project.created' as const,
      data: { projectId: 'p2', name: 'seen by the unfiltered component only' },
    };
    await live.publisher.publish(created);
    await live.publisher.publish(projectEvent(20));
    await waitFor(() => expect(everything.result.current.events).toHaveLength(2));
    expect(everything.result.current.events.map((item) => item.event)).toEqual([
      'project.updated',
      'project.created',
    ]);
    expect(filtered.result.current.events.map((item) => item.event)).toEqual(['project.updated']);
    everything.unmount();
    await live.publisher.publish(created);
    await live.publisher.publish(projectEvent(21));
    await waitFor(() => expect(filtered.result.current.events).toHaveLength(2));
    expect(filtered.result.current.events.map((item) => item.event)).toEqual([
      'project.updated',
      'project.updated',
    ]);
  });

  it('useRoom reports a refused subscription with its code', async () => {
    const client = live.client(live.token('u-other', 'd1'));
    await client.connect();
    const { result } = renderHook(() => useRoom('dealership:d-someone-else'), {
      wrapper: wrapperFor(client),
    });
    await waitFor(() => expect(result.current.error?.code).toBe('FORBIDDEN'));
    expect(result.current.subscribed).toBe(false);
  });

  it('useRoom gets the events missed while its gateway died, in order, after the resume', async () => {
    const [first, second] = live.gateways as [
      LiveServices['gateways'][0],
      LiveServices['gateways'][0],
    ];
    const client = live.client(live.token('u-resume', 'd1'), [first, second]);
    await client.connect();
    const { result } = renderHook(() => useRoom('dealership:d1', { events: ['project.updated'] }), {
      wrapper: wrapperFor(client),
    });
    await waitFor(() => expect(result.current.subscribed).toBe(true));
    await live.publisher.publish(projectEvent(10));
    await waitFor(() => expect(result.current.events).toHaveLength(1));

    await first.stop('SIGKILL');
    for (const n of [11, 12, 13]) await live.publisher.publish(projectEvent(n));
    await waitFor(() => expect(result.current.lastResume).toBeDefined(), { timeout: 10_000 });
    await waitFor(() => expect(result.current.events).toHaveLength(4));
    expect(result.current.lastResume?.recovered).toBe(true);
    const seen = result.current.events.map(
      (item) => (item.data as { changes: { n: number } }).changes.n,
    );
    expect(seen).toEqual([13, 12, 11, 10]);
    live.gateways.splice(0, 1);
  });

  it('useEvent returns the newest event of its type from any joined room', async () => {
    const client = live.client(live.token('u-event', 'd1'));
    await client.connect();
    await client.subscribe('dealership:d1');
    const { result } = renderHook(() => useEvent<{ changes: { n: number } }>('project.updated'), {
      wrapper: wrapperFor(client),
    });
    expect(result.current).toBeUndefined();
    await live.publisher.publish(projectEvent(42));
    await waitFor(() => expect(result.current?.data.changes.n).toBe(42));
    expect(result.current?.meta.room).toBe('dealership:d1');
  });

  it('useFlag evaluates through OFREP and follows a toggle made by another operator', async () => {
    const flags = live.flags!;
    const admin = live.token('ops', 'd1', 'admin');
    const call = (path: string, body: unknown) =>
      fetch(`${flags.http}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await call('/api/flags', {
      key: 'hooks-demo',
      type: 'boolean',
      enabled: false,
      variants: { on: true, off: false },
      defaultVariant: 'on',
    });
    expect(created.status, await created.clone().text()).toBe(201);

    const client = live.client(admin);
    await client.connect();
    await client.subscribe('admin');
    const source: FlagSource = { baseUrl: flags.http, token: admin };
    function Banner() {
      return <p>{useFlag('hooks-demo', true) ? 'demo on' : 'demo off'}</p>;
    }
    render(<Banner />, { wrapper: wrapperFor(client, source) });
    await screen.findByText('demo off');
    expect((await call('/api/flags/hooks-demo/toggle', { enabled: true })).status).toBe(200);
    await screen.findByText('demo on', {}, { timeout: 5000 });
  });
});
