// The rescue UI: the main menu and the screen it opened, the theme and the backend for every screen, and the keys
// that work everywhere: q and Ctrl-C quit (asking first while a job runs, which is then stopped cleanly).
import { Box, useApp, useInput } from 'ink';
import { useMemo, useRef, useState } from 'react';
import type { Backend } from './backend/port.js';
import { YesNo } from './components/yes-no.js';
import { BackendContext } from './hooks/use-backend.js';
import { JobsContext, type Jobs, type RunningJob } from './hooks/use-jobs.js';
import { ThemeContext } from './hooks/use-theme.js';
import { BackupFlow } from './screens/backup-flow.js';
import { CloneFlow } from './screens/clone-flow.js';
import { DisksScreen } from './screens/disks-screen.js';
import { LogScreen } from './screens/log-screen.js';
import { MainMenu, menuItems, type MenuChoice } from './screens/main-menu.js';
import { PowerScreen } from './screens/power-screen.js';
import { RestoreFlow } from './screens/restore-flow.js';
import { VerifyFlow } from './screens/verify-flow.js';
import type { Theme } from './terminal/theme.js';

/** Why the app ended: the person quit, or asked for a shell (the caller hands the terminal over and comes back). */
export type AppExit = 'quit' | 'shell';

export interface AppProps {
  backend: Backend;
  theme: Theme;
  onExit: (why: AppExit) => void;
  /** The image name's date in the backup flow (tests pin it). */
  now?: Date;
}

export function App({ backend, theme, onExit, now }: AppProps) {
  const app = useApp();
  const [screen, setScreen] = useState<MenuChoice | 'menu'>('menu');
  const [lastChoice, setLastChoice] = useState(0);
  const [running, setRunningState] = useState<RunningJob | undefined>(undefined);
  const [askQuit, setAskQuit] = useState(false);
  const quitting = useRef(false);
  const typing = useRef(0);
  const exit = (why: AppExit) => {
    onExit(why);
    app.exit();
  };
  const jobs = useMemo<Jobs>(
    () => ({
      running,
      setRunning: (job) => {
        setRunningState(job);
        // Quit was confirmed while the job ran: leave once it has stopped and cleaned up.
        if (job === undefined && quitting.current) exit('quit');
      },
      typing,
    }),
    [running],
  );
  useInput((input, key) => {
    const ctrlC = key.ctrl && input === 'c';
    if (!ctrlC && (input !== 'q' || typing.current > 0 || askQuit)) return;
    if (running) setAskQuit(true);
    else exit('quit');
  });
  const back = () => setScreen('menu');
  const open = (c: MenuChoice) => {
    setLastChoice(menuItems.findIndex((i) => i.value === c));
    if (c === 'shell') exit('shell');
    else setScreen(c);
  };
  return (
    <ThemeContext.Provider value={theme}>
      <BackendContext.Provider value={backend}>
        <JobsContext.Provider value={jobs}>
          <Box flexDirection="column">
            {screen === 'menu' && <MainMenu onChoose={open} initial={lastChoice} />}
            {screen === 'disks' && <DisksScreen onBack={back} />}
            {screen === 'log' && <LogScreen onBack={back} />}
            {screen === 'backup' && <BackupFlow onDone={back} {...(now ? { now } : {})} />}
            {screen === 'restore' && <RestoreFlow onDone={back} />}
            {screen === 'repair' && <RestoreFlow onDone={back} bootOnly />}
            {screen === 'verify' && <VerifyFlow onDone={back} />}
            {screen === 'clone' && <CloneFlow onDone={back} />}
            {(screen === 'reboot' || screen === 'poweroff') && <PowerScreen action={screen} onBack={back} />}
            {askQuit && running && (
              <YesNo
                question={`Stop ${running.what} and quit?`}
                onAnswer={(yes) => {
                  setAskQuit(false);
                  if (!yes) return;
                  quitting.current = true;
                  running.abort();
                }}
              />
            )}
          </Box>
        </JobsContext.Provider>
      </BackendContext.Provider>
    </ThemeContext.Provider>
  );
}
