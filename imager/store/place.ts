// The one reading of "a place in a partition", as every face writes it: the partition (a /dev node, or LABEL=,
// UUID=, PARTUUID=, PARTLABEL=, as fstab and Clonezilla name one), then optionally `:/path` inside its filesystem.
// Stores (LABEL=STICK:/images), image arguments (/dev/sdb1:/pc), repositories (restic:LABEL=STORE:/repo) and the
// live system's password file (LABEL=KEYS:/restic.pass) all take this form.

export interface PartitionPlace {
  /** The partition as written: /dev/sdb1, LABEL=STICK, UUID=… */
  device: string;
  /** The path inside its filesystem without leading or trailing slashes; '' for its top. */
  inside: string;
}

const tagged = /^(?:LABEL|UUID|PARTUUID|PARTLABEL)=/;

/** Whether the text is written as a partition place (a tag, or a /dev/ node followed by :/path). */
export function looksLikePartitionPlace(text: string): boolean {
  return tagged.test(text) || (text.startsWith('/dev/') && text.includes(':/'));
}

/** The partition and the path in it, or undefined when the text is not of that form; `..` climbing out is an error. */
export function parsePartitionPlace(text: string): PartitionPlace | { error: string } | undefined {
  const m = /^((?:LABEL|UUID|PARTUUID|PARTLABEL)=[^:/]+|\/dev\/[^:]+?)(?::(\/.*))?$/.exec(text);
  if (!m) return tagged.test(text) ? { error: `${text.split('=')[0]}= names a partition by a value without ':' or '/', then optionally :/path in it` } : undefined;
  const inside = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (inside.split('/').includes('..')) return { error: "its path climbs out of the partition ('..')" };
  return { device: m[1]!, inside };
}
