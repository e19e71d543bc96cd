import { createSignal } from 'solid-js';

/** Light/dark theme: follows prefers-color-scheme until the user picks one (kept in localStorage). */
export type Theme = 'system' | 'light' | 'dark';
const KEY = 'moonmind.theme';
const stored = (globalThis.localStorage?.getItem(KEY) ?? 'system') as Theme;
const [theme, setThemeSignal] = createSignal<Theme>(stored);

function apply(t: Theme) {
  if (t === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', t);
}
apply(stored);

export { theme };
export function setTheme(t: Theme) {
  setThemeSignal(t);
  localStorage.setItem(KEY, t);
  apply(t);
}
export const nextTheme = (t: Theme): Theme => (t === 'system' ? 'dark' : t === 'dark' ? 'light' : 'system');
