/** IAM's wildcard matching, for resource ARNs and StringLike values: `*` is any run of characters, `?` one. */
export function matchesIamPattern(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}
