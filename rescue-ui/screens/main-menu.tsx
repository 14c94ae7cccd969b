// The main menu: the ten things a person can do in the rescue system.
import { Text } from 'ink';
import { Frame } from '../components/frame.js';
import { SelectList, type ListItem } from '../components/select-list.js';
import { lifeboatVersion } from '../../imager/version.js';

export type MenuChoice = 'backup' | 'restore' | 'repair' | 'verify' | 'clone' | 'disks' | 'log' | 'shell' | 'reboot' | 'poweroff';

export const menuItems: ListItem<MenuChoice>[] = [
  { key: 'backup', label: 'Back up a disk', value: 'backup' },
  { key: 'restore', label: 'Restore an image', value: 'restore' },
  { key: 'repair', label: 'Repair boot (boot records only)', value: 'repair' },
  { key: 'verify', label: 'Verify an image', value: 'verify' },
  { key: 'clone', label: 'Clone a disk', value: 'clone' },
  { key: 'disks', label: 'Disks', value: 'disks' },
  { key: 'log', label: 'Log', value: 'log' },
  { key: 'shell', label: 'Shell', value: 'shell' },
  { key: 'reboot', label: 'Reboot', value: 'reboot' },
  { key: 'poweroff', label: 'Power off', value: 'poweroff' },
];

export function MainMenu({ onChoose, initial = 0 }: { onChoose: (c: MenuChoice) => void; initial?: number }) {
  return (
    <Frame title="Main menu" keys="Up/Down choose  Enter open  q quit">
      <Text>{`Lifeboat ${lifeboatVersion}: whole-disk images in Clonezilla's layout.`}</Text>
      <Text> </Text>
      <SelectList items={menuItems} onSelect={(i) => onChoose(i.value)} initial={initial} rows={12} />
    </Frame>
  );
}
