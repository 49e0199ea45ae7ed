import { createHash } from 'node:crypto';

/**
 * The host uid/gid a sandbox's processes run as: derived from the sandbox id into
 * [base, base + range), so every worker on every host computes the same owner for the same
 * directory without storing anything. Per sandbox rather than per tenant: two sandboxes of one
 * dealership are as foreign to each other as two of different dealerships (agents run code they
 * wrote themselves). With the default 2^24 range a collision is unlikely but possible; it would
 * matter only if both sandboxes could see each other's files or processes, which the mount and
 * pid namespaces already prevent; the uid is the second wall, not the first.
 */
export function sandboxUid(sandboxId: string, base: number, range: number): number {
  const digest = createHash('sha256').update(sandboxId).digest();
  return base + (digest.readUInt32BE(0) % range);
}
