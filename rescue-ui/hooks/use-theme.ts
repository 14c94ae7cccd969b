// The theme of this terminal (ASCII or Unicode, colour or not), from the nearest ThemeContext.
import { createContext, useContext } from 'react';
import { themeFor, type Theme } from '../terminal/theme.js';

export const ThemeContext = createContext<Theme>(themeFor({ ascii: true, color: false }));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
