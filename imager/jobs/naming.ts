// The one rule for naming a new image, as Clonezilla does (a name and the time): the source disk's kernel name and
// the local date and time, e.g. sda-2026-11-26-1405. The CLI takes a name given; the UI offers this one; the
// unattended runner uses it when lifeboat.image= is not set.
export function defaultImageName(diskName: string, now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${diskName}-${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}`;
}

/** A time stamp for file names down to the second (job logs): 2026-11-26-140502. */
export function fileStamp(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}
