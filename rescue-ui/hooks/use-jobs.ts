// The job that is running now (one at a time), so that q, Ctrl-C and Esc can ask before stopping it; and whether a
// text field has the keyboard (then q is a letter, not quit).
import { createContext, useContext } from 'react';

export interface RunningJob {
  /** In the user's words: "the backup of /dev/sda". */
  what: string;
  abort(): void;
}

export interface Jobs {
  running: RunningJob | undefined;
  setRunning(job: RunningJob | undefined): void;
  /** How many text fields are taking keys right now. */
  typing: { current: number };
}

export const JobsContext = createContext<Jobs>({ running: undefined, setRunning: () => undefined, typing: { current: 0 } });

export function useJobs(): Jobs {
  return useContext(JobsContext);
}
