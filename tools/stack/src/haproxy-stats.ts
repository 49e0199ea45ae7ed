/** One row of HAProxy's stats CSV for a server: backend, server name and check status. */
export interface ServerState {
  backend: string;
  server: string;
  /** e.g. `UP`, `DOWN`, `UP 1/2` (going down), `DOWN 1/2` (coming up), `MAINT`, `no check`. */
  status: string;
  /** UP -> DOWN transitions since HAProxy started (`chkdown`): counts a DOWN however brief. */
  downTransitions: number;
}

/** Parses `GET /stats;csv` (the header line starts with `# `). */
export function parseStatsCsv(csv: string): ServerState[] {
  const [header, ...rows] = csv.trim().split('\n');
  if (!header?.startsWith('# ')) throw new Error('not an HAProxy stats CSV');
  const columns = header.slice(2).split(',');
  const at = (name: string) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`stats CSV has no ${name} column`);
    return index;
  };
  const [pxname, svname, status] = [at('pxname'), at('svname'), at('status')];
  const chkdown = columns.indexOf('chkdown');
  return rows
    .map((row) => row.split(','))
    .filter((cells) => cells[svname] !== 'FRONTEND' && cells[svname] !== 'BACKEND')
    .map((cells) => ({
      backend: cells[pxname] ?? '',
      server: cells[svname] ?? '',
      status: cells[status] ?? '',
      downTransitions: Number(cells[chkdown] ?? 0) || 0,
    }));
}

/** What HAProxy currently thinks of every server (its health checks on /health/ready). */
export async function fetchServerStates(statsUrl: string): Promise<ServerState[]> {
  const response = await fetch(`${statsUrl};csv`, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`HAProxy stats answered ${response.status}`);
  return parseStatsCsv(await response.text());
}
