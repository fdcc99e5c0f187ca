import { useEffect } from 'react';
import { THEME_KEY, useWorkbench } from '../store/workbench';

type Theme = 'system' | 'light' | 'dark';

const systemDark = () => window.matchMedia('(prefers-color-scheme: dark)');

/** Sets <html data-theme> to light or dark: the chosen theme, or the OS's for "system". */
export function applyTheme(theme: Theme): void {
  const dark = theme === 'dark' || (theme === 'system' && systemDark().matches);
  document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
  useWorkbench.setState({ appliedTheme: dark ? 'dark' : 'light' });
}

/** Light, dark, or whatever the OS says (following it when it changes); remembered on this machine. */
export function ThemeSwitch() {
  const theme = useWorkbench((s) => s.theme);
  const setTheme = (t: Theme) => useWorkbench.setState({ theme: t });
  useEffect(() => {
    applyTheme(theme);
    if (theme === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, theme);
    if (theme !== 'system') return;
    const media = systemDark();
    const follow = () => applyTheme('system');
    media.addEventListener('change', follow);
    return () => media.removeEventListener('change', follow);
  }, [theme]);
  return (
    <select
      className="theme-switch"
      value={theme}
      onChange={(e) => setTheme(e.target.value as Theme)}
      aria-label="Theme"
    >
      <option value="system">System theme</option>
      <option value="light">Light theme</option>
      <option value="dark">Dark theme</option>
    </select>
  );
}
