/** A stored hash's optional numeric field: absent or empty (HSET of '') reads as undefined. */
export function optionalNumber(value: string | undefined): number | undefined {
  return value === undefined || value === '' ? undefined : Number(value);
}
