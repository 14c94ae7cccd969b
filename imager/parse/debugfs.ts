// Parses debugfs's icheck (block -> inode) and ncheck (inode -> path) answers.

/** icheck's table: each block with the inode that owns it, or undefined for "<block not found>" (free or metadata). */
export function parseIcheck(text: string): Map<number, number | undefined> {
  const out = new Map<number, number | undefined>();
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(\d+|<block not found>)\s*$/.exec(line.trim());
    if (m) out.set(Number(m[1]), m[2] === '<block not found>' ? undefined : Number(m[2]));
  }
  return out;
}

/** ncheck's table: every path of each inode (hard links give several); debugfs writes "//name" for the root's entries. */
export function parseNcheck(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(\/.*)$/.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    const inode = Number(m[1]);
    out.set(inode, [...(out.get(inode) ?? []), m[2]!.replace(/\/{2,}/g, '/')]);
  }
  return out;
}
