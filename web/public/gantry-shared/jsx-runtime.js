// The shell's JSX runtime for plugin ES modules compiled with the automatic JSX transform.
const J = globalThis.__GANTRY_SHARED__.jsxRuntime;
export const { Fragment, jsx, jsxs } = J;
export default J;
