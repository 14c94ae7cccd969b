// The last screen of a job: what it did (or why it failed, or that it was stopped); Enter or Esc returns to the menu.
import { Box, Text, useInput } from 'ink';
import type { ReactNode } from 'react';
import { useTheme } from '../hooks/use-theme.js';
import { ErrorPanel } from './error-panel.js';

export type JobEndProps = { onDone: () => void } & ({ ok: true; headline: string; children?: ReactNode } | { ok: false; error: Error; aborted: boolean; stoppedWords: string });

export function JobEnd(props: JobEndProps) {
  const theme = useTheme();
  useInput((_input, key) => {
    if (key.return || key.escape) props.onDone();
  });
  return (
    <Box flexDirection="column">
      {props.ok ? (
        <>
          <Text bold color={theme.good}>
            {props.headline}
          </Text>
          {props.children}
        </>
      ) : props.aborted ? (
        <Text bold color={theme.danger}>{`Stopped: ${props.stoppedWords}`}</Text>
      ) : (
        <ErrorPanel error={props.error} />
      )}
      <Text> </Text>
      <Text>Enter: back to the main menu</Text>
    </Box>
  );
}
