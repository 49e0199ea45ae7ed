export interface Sandbox {
  id: string;
  dealershipId: string;
  name: string | null;
  state: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  lastActivityAt?: string;
  pausedAt: string | null;
  pauseReason: string | null;
  pausedBy: string | null;
  pauseSource: string | null;
  settings?: {
    autoPause?: {
      idleTimeoutSec?: number | null;
      maxExecutionTimeSec?: number | null;
      maxMemoryMb?: number | null;
    };
  };
}

export interface SandboxPage {
  items: Sandbox[];
  nextCursor: string | null;
}

export interface HistoryEntry {
  seq: number;
  action: string;
  from: string | null;
  to: string;
  actor: string;
  source: string;
  reason?: string | null;
  timestamp: string;
}

export interface BulkResult {
  results: {
    id: string;
    success: boolean;
    state?: string;
    error?: { code: string; message: string };
  }[];
  summary: { requested: number; succeeded: number; failed: number };
}
