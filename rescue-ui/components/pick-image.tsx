// Choose an image found on the stores of the attached disks (Lifeboat's and Clonezilla's); unusable ones are shown
// with the reason and cannot be chosen.
import { Text } from 'ink';
import type { FoundImage } from '../backend/port.js';
import { imageDetail, imageLine } from '../describe.js';
import { useBackend } from '../hooks/use-backend.js';
import { useLoad } from '../hooks/use-load.js';
import { Loading } from './loading.js';
import { Retry } from './retry.js';
import { SelectList } from './select-list.js';

export function PickImage({ question, onPick, onBack }: { question: string; onPick: (i: FoundImage) => void; onBack: () => void }) {
  const backend = useBackend();
  const images = useLoad(() => backend.findImages());
  if (images.state === 'loading') return <Loading what="Looking for images on the attached disks" onBack={onBack} />;
  if (images.state === 'error') return <Retry error={images.error} onBack={onBack} onRetry={images.reload} />;
  const items = images.value.map((i) => ({ key: `${i.store}:${i.path}`, value: i, label: imageLine(i), detail: imageDetail(i), disabled: i.problem !== undefined }));
  return (
    <>
      <Text bold>{question}</Text>
      {items.length === 0 && <Text>No images found on the attached disks. Attach the disk that holds them and press r.</Text>}
      <SelectList items={items} onSelect={(i) => onPick(i.value)} onBack={onBack} rows={14} onKey={(k) => k === 'r' && images.reload()} />
    </>
  );
}
