import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRoom } from '@switchboard/react';
import { useApi } from '../../api/api-context.js';
import { ErrorMessage } from '../../components/error-message.js';
import { StateBadge } from '../../components/state-badge.js';
import { useSession } from '../../session/session.js';
import { type AgentView, type Page, TASK_STATES, type TaskView } from './task-types.js';

const MISSING = 'This deployment has no agent tasks API yet (GET /api/tasks answered 404).';

export function TasksView() {
  const request = useApi();
  const { identity } = useSession();
  const queryClient = useQueryClient();
  useRoom(`dealership:${identity.dealershipId}`, {
    limit: 1,
    onEvent: ({ event }) => {
      if (event.startsWith('task.')) void queryClient.invalidateQueries({ queryKey: ['tasks'] });
      if (event.startsWith('task.') || event.startsWith('agent.'))
        void queryClient.invalidateQueries({ queryKey: ['agents'] });
    },
  });
  const tasks = useQuery({
    queryKey: ['tasks'],
    queryFn: () => request<Page<TaskView>>('GET', '/api/tasks?limit=200'),
  });
  const agents = useQuery({
    queryKey: ['agents'],
    queryFn: () => request<Page<AgentView>>('GET', '/api/agents'),
  });
  const byState = (state: string) =>
    (tasks.data?.items ?? []).filter((task) => task.state === state);
  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">Tasks</h1>
      <ErrorMessage error={tasks.error} notFound={MISSING} />
      {tasks.data && (
        <div className="board" role="list" aria-label="Tasks by state">
          {TASK_STATES.map((state) => (
            <section
              key={state}
              className="column"
              role="listitem"
              aria-labelledby={`col-${state}`}
            >
              <h2 id={`col-${state}`}>
                {state} <span className="muted">{byState(state).length}</span>
              </h2>
              <ul>
                {byState(state).map((task) => (
                  <li key={task.id} className="task" data-task={task.id}>
                    <strong>{task.title}</strong>
                    <div className="muted">
                      {task.capability} · P{task.priority}
                      {task.assignee ? ` · ${task.assignee}` : ''}
                    </div>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
      <h2>Agents</h2>
      <ErrorMessage
        error={agents.error}
        notFound="This deployment has no agents API yet (GET /api/agents answered 404)."
      />
      {agents.data && (
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Status</th>
                <th scope="col">Capabilities</th>
                <th scope="col">Active / max</th>
              </tr>
            </thead>
            <tbody>
              {agents.data.items.map((agent) => (
                <tr key={agent.agentId} data-agent={agent.agentId}>
                  <td className="mono">{agent.agentId}</td>
                  <td>
                    <StateBadge state={agent.status} />
                  </td>
                  <td>{agent.capabilities.join(', ')}</td>
                  <td>
                    {agent.activeTasks} / {agent.maxConcurrent}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
