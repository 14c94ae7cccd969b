// Choose a disk from the attached disks (read when shown; r reads again), each described by the screen that asks.
import { Text } from 'ink';
import type { Disk } from '../backend/port.js';
import { useBackend } from '../hooks/use-backend.js';
import { useLoad } from '../hooks/use-load.js';
import { Loading } from './loading.js';
import { Retry } from './retry.js';
import { SelectList, type ListItem } from './select-list.js';

export interface PickDiskProps {
  question: string;
  describe: (d: Disk) => Omit<ListItem<Disk>, 'key' | 'value'>;
  onPick: (d: Disk) => void;
  onBack: () => void;
}

export function PickDisk({ question, describe, onPick, onBack }: PickDiskProps) {
  const backend = useBackend();
  const disks = useLoad(() => backend.listDisks());
  if (disks.state === 'loading') return <Loading what="Reading the disks" onBack={onBack} />;
  if (disks.state === 'error') return <Retry error={disks.error} onBack={onBack} onRetry={disks.reload} />;
  const items = disks.value.map((d) => ({ key: d.device, value: d, ...describe(d) }));
  return (
    <>
      <Text bold>{question}</Text>
      {items.length === 0 ? <Text>No disks found. Attach one and press r.</Text> : null}
      <SelectList items={items} onSelect={(i) => onPick(i.value)} onBack={onBack} rows={14} onKey={(k) => k === 'r' && disks.reload()} />
    </>
  );
}
