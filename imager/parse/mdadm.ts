// Parses `mdadm --examine --export DEV` (MD_KEY=value lines): what an md member's superblock says of its array.

export interface MdExamine {
  level: string | undefined; // raid1, raid5, …
  devices: number | undefined;
  name: string | undefined;
  uuid: string | undefined; // mdadm's colon form: 3c1e6f0a:5b7d4e2a:…
}

export function parseMdadmExamine(text: string): MdExamine {
  const raw: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) raw[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return {
    level: raw['MD_LEVEL'] || undefined,
    devices: raw['MD_DEVICES'] ? Number(raw['MD_DEVICES']) : undefined,
    name: raw['MD_NAME'] || undefined,
    uuid: raw['MD_UUID'] || undefined,
  };
}
