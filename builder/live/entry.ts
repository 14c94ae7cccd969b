// The Lifeboat entry point of the live system: the consoles that log in by themselves (tty1, the serial port) run
// it from root's login shell. It says it is ready, runs the job the kernel command line names (lifeboat.job=…), and
// returns to that shell. Its commands get the terminal itself (stdio inherited), so it spawns them, not the Runner.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { lifeboatVersion } from '../../imager/version.js';
import { planAutorun, storeMountPoint } from './autorun.js';
import { parseLifeboatParams } from './cmdline.js';
import { live, readyMarker } from './layout.js';

const say = (line = '') => process.stdout.write(`${line}\n`);

function run(file: string, args: string[]): number {
  const r = spawnSync(file, args, { stdio: 'inherit' });
  return r.status ?? 1;
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

function autorun(): void {
  const params = parseLifeboatParams(readFileSync('/proc/cmdline', 'utf8'));
  if (!params.job || params.job === 'none') return;
  if (!takeJobLock()) {
    say(`The job lifeboat.job=${params.job} runs on another console.`);
    return;
  }
  const plan = planAutorun(params);
  if ('error' in plan) {
    say(`lifeboat: cannot run the job from the kernel command line: ${plan.error}`);
    return;
  }
  say(`Running: lifeboat ${plan.lifeboat.join(' ')}`);
  mkdirSync(storeMountPoint, { recursive: true });
  if (run('mount', [...plan.mount]) !== 0) {
    say(`lifeboat: could not mount the store (mount ${plan.mount.join(' ')})`);
    return;
  }
  const status = run(live.command, plan.lifeboat);
  run('umount', [storeMountPoint]);
  if (status !== 0) {
    say(`lifeboat: the job failed (exit code ${status}); staying here.`);
    return;
  }
  if (plan.after !== 'shell') run('systemctl', [plan.after]);
}

function welcome(): void {
  say();
  say(`Lifeboat ${lifeboatVersion}: whole-disk images, Clonezilla's layout (Node ${process.version})`);
  say('  lifeboat disks                          list the disks');
  say('  lifeboat backup <disk> <image-dir>      save a disk');
  say('  lifeboat restore <image-dir> <disk>     put an image back');
  say('  lifeboat verify <image-dir>             check an image');
  say('  lifeboat --help                         everything else');
  say();
}

say(readyMarker(process.version, lifeboatVersion));
autorun();
welcome();
