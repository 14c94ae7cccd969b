// The Log screen: every command this session ran, with its result and time, newest at the bottom; it follows new
// entries while it is open.
import { useEffect, useState } from 'react';
import { Frame } from '../components/frame.js';
import { ScrollText } from '../components/scroll-text.js';
import type { CommandLogEntry } from '../backend/port.js';
import { useBackend } from '../hooks/use-backend.js';

export function logLine(e: CommandLogEntry): string {
  const result = e.ok ? 'ok' : `FAILED (${e.exitCode !== undefined ? `exit ${e.exitCode}` : (e.signal ?? 'not started')})`;
  return `${e.startedAt.slice(11, 19)} ${result.padEnd(6)} ${String(e.durationMs).padStart(6)} ms  ${e.command}`;
}

export function LogScreen({ onBack }: { onBack: () => void }) {
  const backend = useBackend();
  const [entries, setEntries] = useState(() => backend.log());
  useEffect(() => {
    const stop = backend.onLog(() => setEntries(backend.log()));
    setEntries(backend.log()); // anything logged between the first frame and subscribing
    return stop;
  }, [backend]);
  const lines = entries.length ? entries.map(logLine) : ['No commands have run yet.'];
  return (
    <Frame title={`Log (${entries.length} commands)`} keys="Up/Down scroll  Esc back">
      <ScrollText key={entries.length} lines={lines} onBack={onBack} fromEnd />
    </Frame>
  );
}
