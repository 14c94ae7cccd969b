// The drawing characters and colours the screens use, for a capable terminal or the ASCII fallback.
import type { Capabilities } from './capabilities.js';

export interface Theme {
  ascii: boolean;
  /** Ink's Box borderStyle. */
  border: 'round' | 'classic';
  /** The selected row's marker. */
  pointer: string;
  barFull: string;
  barEmpty: string;
  /** Colours, or undefined when NO_COLOR (the screens then rely on markers and words). */
  accent: string | undefined;
  danger: string | undefined;
  good: string | undefined;
  dim: boolean;
  /** The ellipsis used in long names. */
  more: string;
}

export function themeFor(c: Capabilities): Theme {
  return {
    ascii: c.ascii,
    border: c.ascii ? 'classic' : 'round',
    pointer: c.ascii ? '>' : '›',
    barFull: c.ascii ? '#' : '█',
    barEmpty: c.ascii ? '.' : '░',
    accent: c.color ? 'cyan' : undefined,
    danger: c.color ? 'red' : undefined,
    good: c.color ? 'green' : undefined,
    dim: c.color,
    more: c.ascii ? '...' : '…',
  };
}
