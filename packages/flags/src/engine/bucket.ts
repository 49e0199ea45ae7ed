import murmurhash3 from 'murmurhash3js';

/** Buckets of a rollout: 10 000, so weights can step by 0.01 %. */
export const BUCKETS = 10_000;

/**
 * The caller's bucket in 1..BUCKETS, normalised the way Unleash does
 * (`murmurhash3_x86_32(groupId + ":" + value, seed 0) % n + 1`, same npm implementation), so the
 * same stickiness value always lands in the same bucket and distributions match Unleash's.
 */
export function bucketOf(
  groupId: string,
  stickinessValue: string,
  buckets: number = BUCKETS,
): number {
  return (murmurhash3.x86.hash32(`${groupId}:${stickinessValue}`, 0) % buckets) + 1;
}
