import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { BrowserRouter, NavLink, Navigate, Route, Routes } from 'react-router';
import { ApiContext } from './api/api-context.js';
import { ApiError } from './api/api-error.js';
import { createRequest } from './api/request.js';
import { ConnectionBadge } from './components/connection-badge.js';
import { LiveConnection } from './live/live-connection.js';
import { type Session, SessionProvider, useSessionControl } from './session/session.js';
import { TokenScreen } from './session/token-screen.js';
import { LiveEventsView } from './views/events/live-events-view.js';
import { FleetView } from './views/fleet/fleet-view.js';
import { FlagsView } from './views/flags/flags-view.js';
import { GatewaysView } from './views/gateways/gateways-view.js';
import { TasksView } from './views/tasks/tasks-view.js';

export function App({ basename = '/console' }: { basename?: string }) {
  return (
    <SessionProvider>
      <BrowserRouter basename={basename}>
        <Gate />
      </BrowserRouter>
    </SessionProvider>
  );
}

function Gate() {
  const { session, signOut } = useSessionControl();
  const unauthorized = useCallback(
    () => signOut('The API refused your token (401 UNAUTHORIZED): sign in again.'),
    [signOut],
  );
  if (!session) return <TokenScreen />;
  return (
    <SignedIn
      key={session.token}
      session={session}
      onUnauthorized={unauthorized}
      onSignOut={() => signOut()}
    />
  );
}

function SignedIn({
  session,
  onUnauthorized,
  onSignOut,
}: {
  session: Session;
  onUnauthorized(): void;
  onSignOut(): void;
}) {
  const request = useMemo(() => createRequest(session.token), [session.token]);
  const queryClient = useMemo(() => {
    const on401 = (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) onUnauthorized();
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError: on401 }),
      mutationCache: new MutationCache({ onError: on401 }),
      defaultOptions: {
        queries: {
          staleTime: 5000,
          // 4xx answers do not get better by asking again.
          retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
        },
      },
    });
  }, [onUnauthorized]);
  const { identity, isAdmin } = session;
  return (
    <ApiContext.Provider value={request}>
      <QueryClientProvider client={queryClient}>
        <LiveConnection token={session.token} onUnauthorized={onUnauthorized}>
          <a className="skip" href="#main">
            Skip to content
          </a>
          <header className="top">
            <span className="brand">Switchboard</span>
            <nav aria-label="Views">
              <NavLink to="/fleet">Fleet</NavLink>
              <NavLink to="/events">Live events</NavLink>
              {isAdmin && <NavLink to="/gateways">Gateways</NavLink>}
              {isAdmin && <NavLink to="/flags">Flags</NavLink>}
              <NavLink to="/tasks">Tasks</NavLink>
            </nav>
            <span className="who">
              <ConnectionBadge />
              <span title={`dealership ${identity.dealershipId}`}>
                {identity.sub} · {identity.role}
              </span>
              <button type="button" className="link" onClick={onSignOut}>
                Sign out
              </button>
            </span>
          </header>
          <main id="main" tabIndex={-1}>
            <Routes>
              <Route path="/fleet" element={<FleetView />} />
              <Route path="/events" element={<LiveEventsView />} />
              <Route path="/gateways" element={isAdmin ? <GatewaysView /> : <AdminOnly />} />
              <Route path="/flags" element={isAdmin ? <FlagsView /> : <AdminOnly />} />
              <Route path="/tasks" element={<TasksView />} />
              <Route path="*" element={<Navigate to="/fleet" replace />} />
            </Routes>
          </main>
        </LiveConnection>
      </QueryClientProvider>
    </ApiContext.Provider>
  );
}

function AdminOnly() {
  return (
    <p role="alert" className="error">
      This view is for admins; your token has another role. <code>FORBIDDEN</code>
    </p>
  );
}
