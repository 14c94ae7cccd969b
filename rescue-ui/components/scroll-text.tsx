// Lines of text taller than the screen: Up/Down and PgUp/PgDn scroll, Esc goes back, other keys go to onKey.
import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';
import { useTheme } from '../hooks/use-theme.js';
import { fit } from '../format.js';

export interface ScrollTextProps {
  lines: string[];
  rows?: number;
  onBack: () => void;
  onKey?: (input: string) => void;
  /** Start at the end (a log). */
  fromEnd?: boolean;
}

export function ScrollText({ lines, rows = 17, onBack, onKey, fromEnd = false }: ScrollTextProps) {
  const theme = useTheme();
  const max = Math.max(0, lines.length - rows);
  const [top, setTopState] = useState(fromEnd ? max : 0);
  const first = Math.min(top, max);
  // Keys typed faster than a render must see each other's moves.
  const current = useRef(first);
  current.current = Math.min(current.current, max);
  const setTop = (n: number) => {
    current.current = n;
    setTopState(n);
  };
  useInput((input, key) => {
    const first = current.current;
    if (key.upArrow) setTop(Math.max(0, first - 1));
    else if (key.downArrow) setTop(Math.min(max, first + 1));
    else if (key.pageUp) setTop(Math.max(0, first - rows));
    else if (key.pageDown) setTop(Math.min(max, first + rows));
    else if (key.home) setTop(0);
    else if (key.end) setTop(max);
    else if (key.escape) onBack();
    else onKey?.(input);
  });
  return (
    <Box flexDirection="column">
      {lines.slice(first, first + rows).map((l, n) => (
        <Text key={n}>{fit(l, 76, theme.more) || ' '}</Text>
      ))}
      {lines.length > rows && <Text dimColor={theme.dim}>{`  lines ${first + 1}-${Math.min(lines.length, first + rows)} of ${lines.length}`}</Text>}
    </Box>
  );
}
