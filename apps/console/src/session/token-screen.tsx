import { type FormEvent, useState } from 'react';
import { useSessionControl } from './session.js';

/** Where a visitor without a (valid) token lands: paste one, or open the login link. */
export function TokenScreen() {
  const { signIn, notice } = useSessionControl();
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProblem(signIn(token));
  };
  return (
    <main className="token-screen" id="main">
      <h1>Switchboard Console</h1>
      {notice && (
        <p role="alert" className="error">
          {notice}
        </p>
      )}
      <form onSubmit={submit}>
        <label htmlFor="token">Access token (JWT)</label>
        <textarea
          id="token"
          rows={5}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          placeholder="eyJhbGciOi…"
          spellCheck={false}
        />
        {problem && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
        <button type="submit">Sign in</button>
      </form>
      <p className="hint">
        <code>npm start</code> prints a login link with a dev admin token. Mint others with{' '}
        <code>pnpm token --sub u1 --dealership d1 --role user</code>. The token stays in this tab
        only.
      </p>
    </main>
  );
}
