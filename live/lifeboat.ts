// The lifeboat command of the live system: the CLI, bundled into one file; --version names the embedded Node too.
import { lifeboatVersion } from '../imager/version.js';

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') process.stdout.write(`lifeboat ${lifeboatVersion} (node ${process.version})\n`);
else await import('../cli/main.js');
