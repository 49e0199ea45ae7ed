import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { fail, fakeToken, ok, stubApi } from './render-console.js';

const emptyFleet = ok({ items: [], nextCursor: null });

describe('the console shell', () => {
  it('asks for a token first and refuses one that is not a JWT', async () => {
    render(<App basename="" />);
    fireEvent.change(screen.getByLabelText('Access token (JWT)'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('not a JWT');
  });

  it('signs in from a #token= login link and hides admin views from a user', async () => {
    stubApi({ 'GET /api/sandbox': emptyFleet });
    window.history.replaceState(null, '', `/fleet#token=${fakeToken('user', 'u1')}`);
    render(<App basename="" />);
    await screen.findByRole('heading', { name: 'Fleet' });
    expect(window.location.hash).toBe('');
    const nav = screen.getByRole('navigation', { name: 'Views' });
    expect(nav.textContent).toContain('Fleet');
    expect(nav.textContent).not.toContain('Flags');
    expect(nav.textContent).not.toContain('Gateways');
    expect(screen.getByText('u1 · user')).toBeTruthy();
  });

  it('goes back to the token screen when the API answers 401', async () => {
    stubApi({ 'GET /api/sandbox': fail(401, 'UNAUTHORIZED', 'Token expired') });
    window.history.replaceState(null, '', `/fleet#token=${fakeToken('admin')}`);
    render(<App basename="" />);
    expect((await screen.findByRole('alert')).textContent).toContain('401 UNAUTHORIZED');
    expect(screen.getByLabelText('Access token (JWT)')).toBeTruthy();
  });
});
