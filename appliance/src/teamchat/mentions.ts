/** Usernames written as `@name` (letters, digits, dot, dash, underscore), each once, in order. */
export function parseMentions(body: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(/(?:^|[^\w.@-])@([A-Za-z0-9][\w.-]{0,63})/g)) {
    out.add((m[1] as string).replace(/\.+$/, '').toLowerCase());
  }
  return [...out];
}
