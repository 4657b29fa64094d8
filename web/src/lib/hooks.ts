import { useCallback, useEffect, useRef, useState } from "react";

export function useDebounced<T>(value: T, ms = 200): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    if (title) document.title = `${title} · Gantry`;
  }, [title]);
}

/**
 * Cursor pagination (F58): the cursors of the pages before this one, so "Previous" works with opaque
 * `next` tokens. Resets when `resetKey` (the filters) changes.
 */
export function useCursorPager(resetKey: string) {
  const [stack, setStack] = useState<(string | undefined)[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const key = useRef(resetKey);
  if (key.current !== resetKey) {
    key.current = resetKey;
    if (stack.length || cursor) {
      setStack([]);
      setCursor(undefined);
    }
  }
  const next = useCallback(
    (nextCursor: string | null | undefined) => {
      if (!nextCursor) return;
      setStack((s) => [...s, cursor]);
      setCursor(nextCursor);
    },
    [cursor],
  );
  const prev = useCallback(() => {
    setStack((s) => {
      const copy = [...s];
      setCursor(copy.pop());
      return copy;
    });
  }, []);
  return { cursor, page: stack.length, hasPrev: stack.length > 0, next, prev };
}

/** Is the event target a text field (so single-key shortcuts must not fire)? */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
}
