// The last question before a disk is overwritten: type the disk's name (sdb or /dev/sdb), as the CLI asks.
import { Box, Text } from 'ink';
import { useState } from 'react';
import { useTheme } from '../hooks/use-theme.js';
import { TextInput } from './text-input.js';

/** True when what was typed names the device (its kernel name or its path). */
export function namesDevice(typed: string, device: string): boolean {
  const t = typed.trim();
  return t !== '' && (t === device || t === device.replace(/^\/dev\//, ''));
}

export function ConfirmName({ device, what, onConfirm, onCancel }: { device: string; what: string; onConfirm: () => void; onCancel: () => void }) {
  const theme = useTheme();
  const [typed, setTyped] = useState('');
  const [wrong, setWrong] = useState<string | undefined>(undefined);
  const name = device.replace(/^\/dev\//, '');
  return (
    <Box flexDirection="column">
      <Text bold color={theme.danger}>{`${what} Type ${name} to go on:`}</Text>
      <TextInput
        value={typed}
        onChange={(v) => {
          setTyped(v);
          setWrong(undefined);
        }}
        onSubmit={(v) => {
          if (namesDevice(v, device)) onConfirm();
          else {
            setWrong(v);
            setTyped('');
          }
        }}
        onCancel={onCancel}
      />
      {wrong !== undefined && <Text color={theme.danger}>{`"${wrong}" is not ${name}: nothing was written. Type ${name}, or Esc to go back.`}</Text>}
    </Box>
  );
}
