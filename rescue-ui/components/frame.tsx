// The frame of every screen: a title line, a bordered body, and the keys that work here; sized for 80x25.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useTheme } from '../hooks/use-theme.js';

export interface FrameProps {
  title: string;
  keys: string;
  children: ReactNode;
}

export function Frame({ title, keys, children }: FrameProps) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" width={80}>
      <Text bold color={theme.accent}>
        {` Lifeboat ${theme.ascii ? '-' : '·'} ${title}`}
      </Text>
      <Box flexDirection="column" borderStyle={theme.border} paddingX={1} width={80}>
        {children}
      </Box>
      <Text dimColor={theme.dim}>{` ${keys}`}</Text>
    </Box>
  );
}
