import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { AlertTriangle, CheckCircle2, Info, X } from "lucide-react";
import { cn } from "./cn";

export type ToastTone = "success" | "error" | "info";

interface ToastItem {
  id: number;
  tone: ToastTone;
  title: string;
  description?: string;
}

interface ToastApi {
  success: (title: string, description?: string) => void;
  error: (title: string, description?: string) => void;
  info: (title: string, description?: string) => void;
}

const ToastContext = createContext<ToastApi | null>(null);
let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const dismiss = useCallback((id: number) => setItems((all) => all.filter((t) => t.id !== id)), []);
  const push = useCallback(
    (tone: ToastTone, title: string, description?: string) => {
      const id = nextId++;
      setItems((all) => [...all.slice(-3), { id, tone, title, description }]);
      setTimeout(() => dismiss(id), tone === "error" ? 7000 : 4000);
    },
    [dismiss],
  );
  const api = useMemo<ToastApi>(
    () => ({
      success: (t, d) => push("success", t, d),
      error: (t, d) => push("error", t, d),
      info: (t, d) => push("info", t, d),
    }),
    [push],
  );
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="pointer-events-none fixed bottom-4 right-4 z-[60] flex w-80 flex-col gap-2" aria-live="polite" role="region" aria-label="Notifications">
        {items.map((t) => (
          <div
            key={t.id}
            role={t.tone === "error" ? "alert" : "status"}
            className="pointer-events-auto flex animate-slide-up items-start gap-2.5 rounded-lg border border-line bg-bg p-3 shadow-lg"
          >
            {t.tone === "success" ? (
              <CheckCircle2 className="mt-px size-4 shrink-0 text-accent" aria-hidden />
            ) : t.tone === "error" ? (
              <AlertTriangle className="mt-px size-4 shrink-0 text-danger" aria-hidden />
            ) : (
              <Info className="mt-px size-4 shrink-0 text-fg-muted" aria-hidden />
            )}
            <div className="min-w-0 flex-1">
              <p className={cn("text-[13px] font-medium", t.tone === "error" && "text-danger")}>{t.title}</p>
              {t.description && <p className="mt-0.5 break-words text-xs text-fg-muted">{t.description}</p>}
            </div>
            <button className="text-fg-muted hover:text-fg" onClick={() => dismiss(t.id)} aria-label="Dismiss notification">
              <X className="size-3.5" />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  const ctx = useContext(ToastContext);
  if (!ctx) throw new Error("useToast outside <ToastProvider>");
  return ctx;
}
