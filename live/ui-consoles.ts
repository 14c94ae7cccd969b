// Which consoles of the live system open the rescue UI: the screen (tty1) always, after any job; a serial console
// only when the kernel command line names no job (then the job's lines and its shell stay readable there).

export function opensUi(console: string, job: string | undefined): boolean {
  if (/^\/dev\/tty[1-9][0-9]*$/.test(console)) return true;
  return /^\/dev\/tty(S|AMA|USB)[0-9]+$/.test(console) && (!job || job === 'none');
}
