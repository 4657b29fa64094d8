import {
  forwardRef,
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";
import { ChevronDown } from "lucide-react";
import { cn } from "./cn";

const control =
  "rounded-md border bg-bg px-2.5 text-sm text-fg placeholder:text-fg-muted/70 transition-colors " +
  "focus:border-accent focus:ring-3 focus:ring-accent/15 disabled:opacity-60 disabled:bg-bg-2";

/** A caller's `w-…` class replaces the default full width (no class merging library here). */
function hasWidth(className?: string): boolean {
  return /(^|\s)(w-|flex-1|min-w-)/.test(className ?? "");
}

function borderFor(invalid?: boolean) {
  return invalid ? "border-danger focus:border-danger focus:ring-danger/15" : "border-line hover:border-fg-muted/40";
}

export interface InputProps extends InputHTMLAttributes<HTMLInputElement> {
  invalid?: boolean;
}

export const Input = forwardRef<HTMLInputElement, InputProps>(function Input({ className, invalid, ...rest }, ref) {
  return (
    <input
      ref={ref}
      aria-invalid={invalid || undefined}
      className={cn(control, "h-8", hasWidth(className) ? "" : "w-full", borderFor(invalid), className)}
      {...rest}
    />
  );
});

export const Textarea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement> & { invalid?: boolean }>(
  function Textarea({ className, invalid, ...rest }, ref) {
    return (
      <textarea
        ref={ref}
        aria-invalid={invalid || undefined}
        className={cn(control, "min-h-20 py-1.5 leading-relaxed", hasWidth(className) ? "" : "w-full", borderFor(invalid), className)}
        {...rest}
      />
    );
  },
);

export const Select = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement> & { invalid?: boolean }>(
  function Select({ className, invalid, children, ...rest }, ref) {
    return (
      <div className={cn("relative", className)}>
        <select
          ref={ref}
          aria-invalid={invalid || undefined}
          className={cn(control, "h-8 w-full appearance-none pr-8", borderFor(invalid))}
          {...rest}
        >
          {children}
        </select>
        <ChevronDown className="pointer-events-none absolute right-2 top-1/2 size-3.5 -translate-y-1/2 text-fg-muted" aria-hidden />
      </div>
    );
  },
);

export interface FieldProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  required?: boolean;
  children: (ids: { id: string; describedBy?: string; invalid: boolean }) => ReactNode;
  className?: string;
  /** Data attribute used to scroll to the first server error. */
  path?: string;
}

/** A labelled control with its description and error message wired up for screen readers. */
export function Field({ label, hint, error, required, children, className, path }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cn("space-y-1.5", className)} data-field-path={path}>
      <label htmlFor={id} className="flex items-center gap-1 text-[13px] font-medium text-fg">
        {label}
        {required && (
          <span className="text-danger" aria-hidden>
            *
          </span>
        )}
      </label>
      {children({ id, describedBy, invalid: !!error })}
      {error ? (
        <p id={errorId} className="text-xs text-danger" role="alert">
          {error}
        </p>
      ) : hint ? (
        <p id={hintId} className="text-xs text-fg-muted">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function Switch({
  checked,
  onChange,
  label,
  disabled,
  id,
  describedBy,
}: {
  checked: boolean;
  onChange: (v: boolean) => void;
  label: string;
  disabled?: boolean;
  id?: string;
  describedBy?: string;
}) {
  return (
    <button
      id={id}
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      aria-describedby={describedBy}
      disabled={disabled}
      onClick={() => onChange(!checked)}
      className={cn(
        "relative inline-flex h-5 w-9 shrink-0 items-center rounded-full border border-transparent transition-colors disabled:opacity-50",
        checked ? "bg-accent" : "bg-bg-3 border-line",
      )}
    >
      <span
        className={cn(
          "inline-block size-4 rounded-full bg-bg shadow-sm transition-transform",
          checked ? "translate-x-4" : "translate-x-0.5",
        )}
      />
    </button>
  );
}

export function Checkbox({ className, ...rest }: InputHTMLAttributes<HTMLInputElement>) {
  return <input type="checkbox" className={cn("size-4 rounded border-line accent-[var(--gantry-accent)]", className)} {...rest} />;
}
