// A one-line text field: letters go in, Backspace takes out, Enter submits, Esc cancels. While it is shown, q is a
// letter and not "quit".
import { Text, useInput } from 'ink';
import { useEffect, useRef } from 'react';
import { useJobs } from '../hooks/use-jobs.js';
import { useTheme } from '../hooks/use-theme.js';

export interface TextInputProps {
  value: string;
  onChange: (value: string) => void;
  onSubmit: (value: string) => void;
  onCancel?: () => void;
  /** Characters that may be typed (others are ignored). */
  allowed?: RegExp;
  maxLength?: number;
}

export function TextInput({ value, onChange, onSubmit, onCancel, allowed = /^[\x20-\x7e]$/, maxLength = 64 }: TextInputProps) {
  const theme = useTheme();
  const { typing } = useJobs();
  useEffect(() => {
    typing.current++;
    return () => {
      typing.current--;
    };
  }, [typing]);
  // Keys typed faster than a render (a paste, a serial line) each build on the one before.
  const current = useRef(value);
  current.current = value;
  const change = (v: string) => {
    current.current = v;
    onChange(v);
  };
  useInput((input, key) => {
    if (key.return) onSubmit(current.current);
    else if (key.escape) onCancel?.();
    else if (key.backspace || key.delete) change(current.current.slice(0, -1));
    else if (!key.ctrl && !key.meta && input) {
      const chars = [...input].filter((c) => allowed.test(c)).join('');
      if (chars) change((current.current + chars).slice(0, maxLength));
    }
  });
  return (
    <Text>
      <Text color={theme.accent}>{value}</Text>
      <Text inverse>{' '}</Text>
    </Text>
  );
}
