import { SwitchboardClient, type WebSocketConstructor } from '@switchboard/client';
import { SwitchboardProvider } from '@switchboard/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type RenderResult, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { vi } from 'vitest';
import { ApiContext } from '../src/api/api-context.js';
import { createRequest } from '../src/api/request.js';
import { SessionProvider } from '../src/session/session.js';
import { storeToken } from '../src/session/token.js';

/** An unsigned JWT with the claims the console reads (the APIs verify; the console does not). */
export function fakeToken(role = 'admin', sub = 'ops-1', dealershipId = 'd-console'): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return `${part({ alg: 'HS256' })}.${part({ sub, dealershipId, role, exp })}.sig`;
}

export type Routes = Record<string, (call: number) => { status: number; body: unknown }>;

/**
 * Answers fetch by `METHOD path` (query string included when the key has one, else ignored),
 * counting calls per route; anything else fails the test loudly with a 599.
 */
export function stubApi(routes: Routes): { calls: string[]; bodies: Map<string, unknown> } {
  const calls: string[] = [];
  const bodies = new Map<string, unknown>();
  const counts = new Map<string, number>();
  vi.stubGlobal('fetch', async (input: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    const key = `${method} ${input}`;
    calls.push(key);
    if (typeof init?.body === 'string') bodies.set(key, JSON.parse(init.body));
    const route = routes[key] ? key : `${method} ${input.split('?')[0]}`;
    const handler = routes[route];
    const call = (counts.get(route) ?? 0) + 1;
    counts.set(route, call);
    const { status, body } = handler
      ? handler(call)
      : { status: 599, body: { success: false, error: { code: 'UNSTUBBED', message: key } } };
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  });
  return { calls, bodies };
}

export const ok = (data: unknown) => () => ({ status: 200, body: { success: true, data } });
export const fail = (status: number, code: string, message: string) => () => ({
  status,
  body: { success: false, error: { code, message, details: {} } },
});

/** A view as the signed-in console renders it; the WebSocket client never connects here. */
export function renderConsole(ui: ReactNode, { token = fakeToken() } = {}): RenderResult {
  storeToken(token);
  const client = new SwitchboardClient({
    url: 'ws://127.0.0.1:9/ws',
    token,
    WebSocket: class {} as unknown as WebSocketConstructor,
  });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <SessionProvider>
      <ApiContext.Provider value={createRequest(token)}>
        <QueryClientProvider client={queryClient}>
          <SwitchboardProvider client={client}>
            <MemoryRouter>{ui}</MemoryRouter>
          </SwitchboardProvider>
        </QueryClientProvider>
      </ApiContext.Provider>
    </SessionProvider>,
  );
}
