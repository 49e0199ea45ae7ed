import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { agentsFixture, tasksFixture } from '../fixtures/contracts.js';
import { TasksView } from '../src/views/tasks/tasks-view.js';
import { fail, ok, renderConsole, stubApi } from './render-console.js';

describe('Tasks view (GET /api/tasks, GET /api/agents)', () => {
  it('puts every task in the column of its state, and lists agents with status and capabilities', async () => {
    stubApi({ 'GET /api/tasks': ok(tasksFixture), 'GET /api/agents': ok(agentsFixture) });
    renderConsole(<TasksView />);
    const pending = await screen.findByRole('listitem', { name: /pending/ });
    expect(within(pending).getByText('Review PR #418')).toBeTruthy();
    expect(within(pending).getByText('Triage issue #77')).toBeTruthy();
    const failed = screen.getByRole('listitem', { name: /failed/ });
    expect(within(failed).getByText('Migrate CI')).toBeTruthy();
    expect(within(failed).getByText(/devops · P5 · agent-forge/)).toBeTruthy();
    const bolt = (await screen.findByText('agent-bolt', { selector: 'td' })).closest('tr')!;
    expect(within(bolt).getByText('busy')).toBeTruthy();
    expect(within(bolt).getByText('code-review, dependency-update')).toBeTruthy();
    expect(within(bolt).getByText('2 / 3')).toBeTruthy();
  });

  it('says in words that the tasks API is missing when it answers 404', async () => {
    stubApi({
      'GET /api/tasks': fail(404, 'RECORD_NOT_FOUND', 'Route not found'),
      'GET /api/agents': fail(404, 'RECORD_NOT_FOUND', 'Route not found'),
    });
    renderConsole(<TasksView />);
    const alerts = await screen.findAllByRole('alert');
    expect(alerts.map((alert) => alert.textContent).join(' ')).toContain(
      'no agent tasks API yet (GET /api/tasks answered 404)',
    );
    expect(screen.queryByRole('list', { name: 'Tasks by state' })).toBeNull();
  });
});
