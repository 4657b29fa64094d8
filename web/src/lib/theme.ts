/** Dark mode (F136): `.dark` on <html>, the choice kept in localStorage, following the system by default. */
import { useEffect, useSyncExternalStore } from "react";

export type ThemeChoice = "light" | "dark" | "system";
const KEY = "gantry-theme";
const listeners = new Set<() => void>();

function media(): MediaQueryList | null {
  return typeof window !== "undefined" && window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
}

export function getThemeChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    if (v === "light" || v === "dark") return v;
  } catch {
    /* storage unavailable */
  }
  return "system";
}

export function isDark(choice: ThemeChoice = getThemeChoice()): boolean {
  if (choice === "system") return media()?.matches ?? false;
  return choice === "dark";
}

export function applyTheme(choice: ThemeChoice = getThemeChoice()): void {
  document.documentElement.classList.toggle("dark", isDark(choice));
}

export function setThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    /* storage unavailable */
  }
  applyTheme(choice);
  listeners.forEach((l) => l());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const mq = media();
  const onChange = () => {
    if (getThemeChoice() === "system") applyTheme("system");
    listener();
  };
  mq?.addEventListener?.("change", onChange);
  return () => {
    listeners.delete(listener);
    mq?.removeEventListener?.("change", onChange);
  };
}

/** The current choice and whether dark is showing; re-renders on change (also from the system). */
export function useTheme(): { choice: ThemeChoice; dark: boolean; setChoice: (c: ThemeChoice) => void } {
  const choice = useSyncExternalStore(subscribe, getThemeChoice, () => "system" as ThemeChoice);
  const dark = useSyncExternalStore(subscribe, () => isDark(getThemeChoice()), () => false);
  useEffect(() => applyTheme(choice), [choice]);
  return { choice, dark, setChoice: setThemeChoice };
}
