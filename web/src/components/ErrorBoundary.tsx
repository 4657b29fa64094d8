import { Component, type ErrorInfo, type ReactNode } from "react";
import { AlertOctagon, RotateCcw } from "lucide-react";

interface Props {
  children: ReactNode;
  /** Changing this (e.g. the location) clears a caught error. */
  resetKey?: string;
  fallback?: (error: Error, reset: () => void) => ReactNode;
}

interface State {
  error: Error | null;
  key?: string;
}

/** Catches render errors so one broken page (or plugin extension) never blanks the whole app. */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    if (props.resetKey !== state.key) return { error: null, key: props.resetKey };
    return null;
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("Gantry UI error", error, info.componentStack);
  }

  reset = () => this.setState({ error: null });

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    if (this.props.fallback) return this.props.fallback(error, this.reset);
    return (
      <div role="alert" className="mx-auto flex max-w-lg flex-col items-center px-6 py-20 text-center">
        <div className="mb-4 flex size-11 items-center justify-center rounded-xl bg-danger/10 text-danger">
          <AlertOctagon className="size-5" aria-hidden />
        </div>
        <h1 className="text-base font-semibold">This page crashed</h1>
        <p className="mt-1 text-[13px] text-fg-muted">
          An unexpected error stopped this page from rendering. The rest of Gantry still works.
        </p>
        <pre className="mt-4 max-h-40 w-full overflow-auto rounded-md border border-line bg-bg-2 p-3 text-left text-xs text-fg-muted">
          {error.message}
        </pre>
        <button
          type="button"
          onClick={this.reset}
          className="mt-4 inline-flex h-8 items-center gap-1.5 rounded-md border border-line px-3 text-sm font-medium hover:bg-bg-3"
        >
          <RotateCcw className="size-3.5" aria-hidden /> Try again
        </button>
      </div>
    );
  }
}
