import { create } from 'zustand';

/** A screen another screen asks to show (e.g. Mine opens a queue row in Review). */
export const useNavigation = create<{ requested: { screen: string; at: number } | null }>(() => ({ requested: null }));

export function openScreen(screen: string): void {
  useNavigation.setState({ requested: { screen, at: performance.now() } });
}
