// The backend the screens talk to (the imager in-process, or a fake in tests), from the nearest BackendContext.
import { createContext, useContext } from 'react';
import type { Backend } from '../backend/port.js';

export const BackendContext = createContext<Backend | undefined>(undefined);

export function useBackend(): Backend {
  const b = useContext(BackendContext);
  if (!b) throw new Error('useBackend outside a BackendContext');
  return b;
}
