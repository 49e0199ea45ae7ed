import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../../api/api-context.js';
import { ErrorMessage } from '../../components/error-message.js';
import { StateBadge } from '../../components/state-badge.js';
import { type Sample, addSample } from './stats-series.js';
import type { GatewayStats } from './stats-types.js';
import { TimeSeriesChart } from './time-series-chart.js';

const POLL_MS = 2000;
export const STATS_PATH = '/api/v1/websocket/stats';

export function GatewaysView({ pollMs = POLL_MS }: { pollMs?: number }) {
  const request = useApi();
  const stats = useQuery({
    queryKey: ['gateway-stats'],
    queryFn: () => request<GatewayStats>('GET', STATS_PATH),
    refetchInterval: (query) => (query.state.error ? false : pollMs),
  });
  const [samples, setSamples] = useState<Sample[]>([]);
  const previous = useRef<GatewayStats | undefined>(undefined);
  useEffect(() => {
    const reading = stats.data;
    if (!reading) return;
    // Read the previous reading now: the state updater runs later, after the ref moved on.
    const before = previous.current;
    setSamples((series) => addSample(series, reading, before));
    previous.current = reading;
  }, [stats.data]);

  const data = stats.data;
  return (
    <section aria-labelledby="gateways-title">
      <h1 id="gateways-title">Gateways</h1>
      <ErrorMessage
        error={stats.error}
        notFound={`This deployment has no gateway stats endpoint yet (GET ${STATS_PATH} answered 404).`}
      />
      {data && (
        <>
          <dl className="cards">
            {(
              [
                ['Instances', data.totals.instances],
                ['Connections', data.totals.connections],
                ['Rooms', data.totals.rooms],
                ['Messages in', data.totals.messagesIn],
                ['Messages out', data.totals.messagesOut],
                ['Queued offline', data.totals.queuedOffline],
              ] as const
            ).map(([label, value]) => (
              <div key={label} className="card">
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          <TimeSeriesChart
            samples={samples}
            series={[
              { key: 'connections', label: 'connections', className: 'line-a' },
              { key: 'deliveriesPerSec', label: 'deliveries/s', className: 'line-b' },
            ]}
          />
          <h2>Instances</h2>
          <div className="table-wrap">
            <table className="grid">
              <thead>
                <tr>
                  <th scope="col">Instance</th>
                  <th scope="col">Status</th>
                  <th scope="col">Breaker</th>
                  <th scope="col">Connections</th>
                  <th scope="col" className="hide-narrow">
                    Rooms
                  </th>
                  <th scope="col" className="hide-narrow">
                    In / out
                  </th>
                  <th scope="col" className="hide-narrow">
                    Up since
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.instances.map((instance) => (
                  <tr
                    key={instance.instanceId}
                    data-instance={instance.instanceId}
                    data-draining={instance.draining}
                  >
                    <td className="mono">{instance.instanceId}</td>
                    <td>
                      <StateBadge state={instance.draining ? 'draining' : 'serving'} />
                    </td>
                    <td>
                      <StateBadge state={`breaker-${instance.breaker}`} label={instance.breaker} />
                    </td>
                    <td>{instance.connections}</td>
                    <td className="hide-narrow">{instance.rooms}</td>
                    <td className="hide-narrow">
                      {instance.messagesIn} / {instance.messagesOut}
                    </td>
                    <td className="muted hide-narrow">
                      {new Date(instance.startedAt).toLocaleTimeString()}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Connections per dealership</h2>
          <ul className="bars">
            {data.dealerships.map((dealership) => (
              <li key={dealership.dealershipId}>
                <span className="mono">{dealership.dealershipId}</span>
                <meter
                  min={0}
                  max={Math.max(1, data.totals.connections)}
                  value={dealership.connections}
                  aria-label={`${dealership.dealershipId} connections`}
                />
                {dealership.connections}
              </li>
            ))}
          </ul>
          <p className="muted">
            Updated {new Date(data.at).toLocaleTimeString()}, every {pollMs / 1000} s.
          </p>
        </>
      )}
    </section>
  );
}
