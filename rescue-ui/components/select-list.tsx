// A keyboard list: Up/Down (and PgUp/PgDn, Home/End) move, Enter chooses, Esc goes back; long lists scroll.
import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';
import { useTheme } from '../hooks/use-theme.js';
import { fit } from '../format.js';

export interface ListItem<T> {
  key: string;
  label: string;
  /** A second, dimmer line under the label. */
  detail?: string;
  /** Shown but not choosable (the reason is in its label or detail). */
  disabled?: boolean;
  value: T;
}

export interface SelectListProps<T> {
  items: ListItem<T>[];
  onSelect: (item: ListItem<T>) => void;
  onBack?: () => void;
  /** Rows of items shown at once. */
  rows?: number;
  initial?: number;
  /** Other keys this screen handles while the list has focus. */
  onKey?: (input: string) => void;
}

export function SelectList<T>({ items, onSelect, onBack, rows = 12, initial = 0, onKey }: SelectListProps<T>) {
  const theme = useTheme();
  const [index, setIndexState] = useState(Math.min(initial, Math.max(0, items.length - 1)));
  // Keys typed faster than a render (a paste, tmux send-keys, a serial line) must see each other's moves.
  const current = useRef(index);
  const setIndex = (f: (i: number) => number) => {
    current.current = f(current.current);
    setIndexState(current.current);
  };
  const perItem = items.some((i) => i.detail) ? 2 : 1;
  const shown = Math.max(1, Math.floor(rows / perItem));
  useInput((input, key) => {
    const last = items.length - 1;
    if (key.upArrow) setIndex((i) => Math.max(0, i - 1));
    else if (key.downArrow) setIndex((i) => Math.min(last, i + 1));
    else if (key.pageUp) setIndex((i) => Math.max(0, i - shown));
    else if (key.pageDown) setIndex((i) => Math.min(last, i + shown));
    else if (key.home) setIndex(() => 0);
    else if (key.end) setIndex(() => last);
    else if (key.return) {
      const item = items[current.current];
      if (item && !item.disabled) onSelect(item);
    } else if (key.escape) onBack?.();
    else onKey?.(input);
  });
  const top = Math.min(Math.max(0, index - shown + 1), Math.max(0, items.length - shown));
  const first = Math.max(0, Math.min(top, index));
  const visible = items.slice(first, first + shown);
  return (
    <Box flexDirection="column">
      {first > 0 && <Text dimColor={theme.dim}>{`  (${first} more above)`}</Text>}
      {visible.map((item, n) => {
        const selected = first + n === index;
        return (
          <Box key={item.key} flexDirection="column">
            <Text inverse={selected} color={item.disabled ? undefined : selected ? theme.accent : undefined} dimColor={item.disabled && theme.dim}>
              {`${selected ? theme.pointer : ' '} ${fit(item.label, 72, theme.more)}`}
            </Text>
            {item.detail !== undefined && <Text dimColor={theme.dim}>{`    ${fit(item.detail, 70, theme.more)}`}</Text>}
          </Box>
        );
      })}
      {first + shown < items.length && <Text dimColor={theme.dim}>{`  (${items.length - first - shown} more below)`}</Text>}
    </Box>
  );
}
