// What an image holds (its partitions, filesystems, sizes) and whether its checksums hold, checked when shown.
import { Box, Text } from 'ink';
import type { FoundImage } from '../backend/port.js';
import { bytes } from '../../core/format.js';
import { useBackend } from '../hooks/use-backend.js';
import { useLoad } from '../hooks/use-load.js';
import { useTheme } from '../hooks/use-theme.js';

export function ImageDetails({ image }: { image: FoundImage }) {
  const backend = useBackend();
  const theme = useTheme();
  const check = useLoad(() => backend.checkImage(image), [image]);
  return (
    <Box flexDirection="column">
      <Text bold>{`${image.path} on ${image.store}`}</Text>
      <Text>{`${image.origin === 'lifeboat' ? 'Lifeboat' : 'Clonezilla'} image of ${image.diskName} (${image.tableType}); the target needs ${bytes(image.requiredBytes)}`}</Text>
      {image.partitions.slice(0, 9).map((p) => (
        <Text key={p.name}>{`  ${p.name.padEnd(12)} ${(p.fsType ?? '-').padEnd(8)} ${(p.label ?? '').slice(0, 14).padEnd(14)} ${p.action.padEnd(9)} ${p.imageBytes ? bytes(p.imageBytes) : ''}`}</Text>
      ))}
      {check.state === 'loading' && <Text color={theme.accent}>Checking the SHA-256 of every file...</Text>}
      {check.state === 'error' && <Text bold color={theme.danger}>{`Cannot check: ${check.error.message}`}</Text>}
      {check.state === 'ok' && check.value.state === 'ok' && <Text bold color={theme.good}>{`Checksums OK: all ${check.value.files} files match the manifest.`}</Text>}
      {check.state === 'ok' && check.value.state === 'no-manifest' && <Text>No manifest (a Clonezilla image): partclone checks the data while restoring; Verify checks it fully.</Text>}
      {check.state === 'ok' && check.value.state === 'damaged' && (
        <Text bold color={theme.danger}>{`DAMAGED: ${check.value.problems[0]?.file}: ${check.value.problems[0]?.reason}. A restore would refuse it.`}</Text>
      )}
    </Box>
  );
}
