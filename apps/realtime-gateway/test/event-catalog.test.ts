import { EventCatalog, eventTypes, isEventType } from '@switchboard/events';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';

describe('event catalogue used by the gateway', () => {
  const seed = [
    'project.updated',
    'project.deleted',
    'agent.status_changed',
    'agent.connected',
    'agent.disconnected',
    'workflow.started',
    'workflow.progress',
    'workflow.completed',
    'workflow.failed',
    'pr.created',
    'pr.updated',
    'pr.closed',
    'issue.created',
    'issue.updated',
    'issue.closed',
    'ai.suggestion',
    'ai.analysis_complete',
    'connection.established',
    'connection.error',
  ];

  it('holds the seed types (at least 22 of them) plus sandbox.* and flag.*', () => {
    for (const type of seed) expect(isEventType(type)).toBe(true);
    const families = ['project.', 'agent.', 'workflow.', 'pr.', 'issue.', 'ai.', 'connection.'];
    expect(
      eventTypes.filter((type) => families.some((family) => type.startsWith(family))).length,
    ).toBeGreaterThanOrEqual(22);
    expect(eventTypes.some((type) => type.startsWith('sandbox.'))).toBe(true);
    expect(eventTypes.some((type) => type.startsWith('flag.'))).toBe(true);
  });

  it('validates data with the TypeBox schema of each type', () => {
    expect(Value.Check(EventCatalog['workflow.progress'], { workflowId: 'w', progress: 50 })).toBe(
      true,
    );
    expect(Value.Check(EventCatalog['workflow.progress'], { workflowId: 'w', progress: 150 })).toBe(
      false,
    );
    expect(Value.Check(EventCatalog['project.updated'], {})).toBe(false);
  });
});
