// The shell's react-dom (createPortal, flushSync) for plugin ES modules.
const D = globalThis.__GANTRY_SHARED__.ReactDOM;
export default D;
export const { createPortal, flushSync, version } = D;
