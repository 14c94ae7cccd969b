// How a partition is imaged: the partclone argv to save, restore and check it, and the raw fallback (partclone.dd).

export interface FsHandler {
  /** Name in Clonezilla's file names: <part>.<fsName>-ptcl-img.<suffix> */
  fsName: string;
  /** argv to save the partition at `source` into the file `output` (a FIFO). */
  save(source: string, output: string): string[];
  /** argv to restore from `input` (a FIFO) onto `target`; undefined for raw data, which is written straight to the target. */
  restore(input: string, target: string): string[] | undefined;
  /** argv to check an image read from `input`, or undefined when only decompression can check it (raw dd). */
  check(input: string): string[] | undefined;
  /** argv to copy the partition at `source` onto the partition `target`, device to device (clone). */
  copy(source: string, target: string): string[];
}

/** The partclone handler for a filesystem named fsName in image file names, saved by partclone.<tool>. */
export function partcloneHandler(fsName: string, tool = fsName): FsHandler {
  return {
    fsName,
    // -a0: no per-block CRC; Lifeboat's manifest carries a SHA-256 of every file (see shared decisions).
    // -f 1: progress every second. partclone's default is 2 s, and it exits only on its progress thread's next tick
    // (main.c: done = 1; pthread_join), so a partition costs up to that long after its data is through; -f takes
    // whole seconds (atol), and 0 would make that thread spin. Every partclone Lifeboat runs gets it, chkimg too.
    save: (source, output) => [`partclone.${tool}`, '-c', '-a0', '-f', '1', '-s', source, '-O', output],
    restore: (input, target) => ['partclone.restore', '-f', '1', '-s', input, '-o', target],
    check: (input) => ['partclone.chkimg', '-f', '1', '-s', input],
    // -b: device to device, used blocks only, no image in between.
    copy: (source, target) => [`partclone.${tool}`, '-b', '-f', '1', '-s', source, '-o', target],
  };
}

/** Raw copy of a partition that no partclone tool reads: Clonezilla's `dd` images carry no partclone header. */
export const rawHandler: FsHandler = {
  fsName: 'dd',
  save: (source, output) => ['partclone.dd', '-f', '1', '-s', source, '-O', output],
  // partclone.dd sizes its copy by the source, which a FIFO does not have: the decompressed data goes straight to the partition.
  restore: () => undefined,
  check: () => undefined,
  // Between two devices partclone.dd knows the source's size: every byte of it is copied.
  copy: (source, target) => ['partclone.dd', '-f', '1', '-s', source, '-o', target],
};
