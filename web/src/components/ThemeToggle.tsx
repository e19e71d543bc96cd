import { nextTheme, setTheme, theme } from '../lib/theme.ts';

const labels = { system: 'Theme: system', dark: 'Theme: dark', light: 'Theme: light' } as const;

export function ThemeToggle() {
  return (
    <button
      type="button"
      class="secondary"
      onClick={() => setTheme(nextTheme(theme()))}
      data-testid="theme-toggle"
      title="Switch between system, dark and light themes"
    >
      {labels[theme()]}
    </button>
  );
}
