import { useEffect } from 'react';
import { THEME_KEY, useWorkbench } from '../store/workbench';

type Theme = 'system' | 'light' | 'dark';

/** Light, dark, or whatever the OS says; remembered on this machine. */
export function ThemeSwitch() {
  const theme = useWorkbench((s) => s.theme);
  const setTheme = (t: Theme) => useWorkbench.setState({ theme: t });
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') {
      delete root.dataset['theme'];
      localStorage.removeItem(THEME_KEY);
    } else {
      root.dataset['theme'] = theme;
      localStorage.setItem(THEME_KEY, theme);
    }
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
