interface RolloutVariant {
  variant: string;
  weight: number;
}

export interface FlagRule {
  constraints: unknown[];
  variant?: string;
  rollout?: { stickiness?: string; groupId?: string; variants: RolloutVariant[] };
}

export interface Flag {
  key: string;
  version: number;
  description?: string;
  type?: string;
  enabled: boolean;
  variants: Record<string, unknown>;
  defaultVariant: string;
  offVariant?: string;
  rules?: FlagRule[];
  tags?: string[];
  archived?: boolean;
  updatedAt?: string;
  updatedBy?: string;
}

export interface FlagVersion {
  version: number;
  flag: Flag;
  action: string;
  actor: string;
  at: string;
  reason?: string;
  restoredVersion?: number;
}

export interface AuditEntry {
  id: string;
  key: string;
  version: number;
  action: string;
  actor: string;
  dealershipId: string;
  at: string;
  reason?: string;
  diff: { path: string; from?: unknown; to?: unknown }[];
}
