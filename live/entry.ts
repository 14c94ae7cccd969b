// The Lifeboat entry point of the live system: the consoles that log in by themselves (tty1, the serial port) run
// it from root's login shell. It says it is ready, runs the job the kernel command line names (lifeboat.job=…), opens
// the rescue UI (on tty1 always, on the serial port when there is no job), and returns to that shell when the UI is
// quit. The job is the library's own (live/autorun.ts), run in this process through the Runner.
// Only one console runs the job (whichever logs in first, often tty1); the job's own lines (what runs, a refusal,
// the outcome) are written to every console of the kernel command line, so the serial port sees them too.
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import { lifeboatVersion } from '../imager/version.js';
import { Runner } from '../core/runner/run.js';
import { describeAutorun, planAutorun, runAutorun } from './autorun.js';
import { consoleDevices, parseLifeboatParams } from '../core/live/cmdline.js';
import { readyMarker } from '../core/live/layout.js';
import { opensUi } from './ui-consoles.js';

const say = (line = '') => process.stdout.write(`${line}\n`);

/** This console's device (/dev/ttyS0, /dev/tty1), or '' when stdin is not a terminal. */
function ownConsole(): string {
  try {
    return readlinkSync('/proc/self/fd/0');
  } catch {
    return '';
  }
}

/** Says a line of the job here and on the kernel's other consoles (/dev/tty0 is the screen's current VT). */
function announce(cmdline: string, line: string): void {
  say(line);
  const own = ownConsole();
  const onScreen = /^\/dev\/tty[1-9][0-9]*$/.test(own);
  for (const dev of consoleDevices(cmdline)) {
    if (dev === own || (onScreen && dev === '/dev/tty0')) continue;
    try {
      appendFileSync(dev, `${line}\n`);
    } catch {
      // a console that cannot be written to misses the line; the job goes on
    }
  }
}

/** Only one console runs the job: the first to create the lock. */
function takeJobLock(): boolean {
  try {
    mkdirSync('/run/lifeboat', { recursive: true });
    closeSync(openSync('/run/lifeboat/autorun.lock', 'wx'));
    return true;
  } catch {
    return false;
  }
}

async function autorun(): Promise<void> {
  const cmdline = readFileSync('/proc/cmdline', 'utf8');
  const params = parseLifeboatParams(cmdline);
  if (!params.job || params.job === 'none') return;
  if (!takeJobLock()) {
    say(`The job lifeboat.job=${params.job} runs on another console; its outcome is reported here too.`);
    return;
  }
  const tell = (line: string) => announce(cmdline, line);
  const plan = planAutorun(params);
  if ('error' in plan) {
    tell(`lifeboat: cannot run the job from the kernel command line: ${plan.error}`);
    return;
  }
  tell(`Running: ${describeAutorun(plan)}`);
  // The library's job in this process (as the UI runs its jobs): the store mounted and released by the job.
  const abort = new AbortController();
  const runner = new Runner();
  const stop = () => {
    abort.abort();
    runner.killAll();
  };
  process.once('SIGTERM', stop);
  const r = await runAutorun(plan, runner, { signal: abort.signal, onStep: (line) => say(line) });
  process.off('SIGTERM', stop);
  tell('file' in r.log ? `lifeboat: the job's log is ${r.log.file} on ${plan.storeText}` : `lifeboat: the job's log could not be written on the store: ${r.log.error}`);
  if (!r.ok) {
    tell(`lifeboat: ${r.message}`);
    tell(`lifeboat: the job failed (exit code ${r.exitCode}); staying here.`);
    return;
  }
  tell(`lifeboat: ${r.message}`);
  tell(`lifeboat: the job succeeded${plan.after === 'shell' ? '.' : `; ${plan.after} now.`}`);
  if (plan.after !== 'shell') await runner.run('systemctl', [plan.after]);
}

function welcome(): void {
  say();
  say(`Lifeboat ${lifeboatVersion}: whole-disk images, Clonezilla's layout (Node ${process.version})`);
  say('  lifeboat ui                             the menus (back up, restore, repair boot, verify)');
  say('  lifeboat disks                          list the disks');
  say('  lifeboat backup <disk> <image-dir>      save a disk');
  say('  lifeboat restore <image-dir> <disk>     put an image back');
  say('  lifeboat verify <image-dir>             check an image');
  say('  lifeboat --help                         everything else');
  say();
}

/** The UI in this process (it is bundled into the entry point): no second Node start on a slow machine. */
async function rescueUi(): Promise<void> {
  const { runRescueUi } = await import('../rescue-ui/run.js');
  await runRescueUi();
}

say(readyMarker(process.version, lifeboatVersion));
await autorun();
if (opensUi(ownConsole(), parseLifeboatParams(readFileSync('/proc/cmdline', 'utf8')).job)) await rescueUi();
welcome();
