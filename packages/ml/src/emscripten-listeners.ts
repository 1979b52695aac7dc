/**
 * The wasm backend's Emscripten glue installs process handlers that rethrow every uncaught exception and
 * unhandled rejection (printing its whole minified source), overriding the host's own handlers. This
 * takes back exactly the handlers that appear while the backend starts.
 */
type Listener = (...args: unknown[]) => void;

const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

// Node's typings overload listeners() per event name; both events take the same plain functions here.
function listenersOf(event: (typeof EVENTS)[number]): Listener[] {
  return (process.listeners as (name: string) => Listener[])(event);
}

/** Matches Emscripten's `function(ex){if(!(ex instanceof ExitStatus)){throw ex}}` and `function(reason){throw reason}`, minified or not. */
const RETHROW = /^function\s*\(\w+\)\s*\{\s*(if\s*\(!\(\w+ instanceof ExitStatus\)\)\s*\{\s*)?throw \w+;?\s*(\}\s*)?\}$/;

export interface ListenerSnapshot {
  restore(): number;
}

export function snapshotProcessListeners(): ListenerSnapshot {
  if (typeof process === 'undefined' || typeof process.listeners !== 'function') return { restore: () => 0 };
  const before = new Map(EVENTS.map((event) => [event, new Set(listenersOf(event))]));
  return {
    restore(): number {
      let removed = 0;
      for (const event of EVENTS) {
        for (const listener of listenersOf(event)) {
          // Only bare rethrowers: a handler someone else added meanwhile does more than `throw`.
          const isRethrow = RETHROW.test(String(listener));
          if (before.get(event)?.has(listener) || !isRethrow) continue;
          process.removeListener(event, listener);
          removed++;
        }
      }
      return removed;
    },
  };
}
