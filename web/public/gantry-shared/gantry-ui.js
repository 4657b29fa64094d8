// The shell's building blocks for plugin ES modules: api client, UI components and renderers.
const G = globalThis.__GANTRY_SHARED__.gantry;
export default G;
export const { api, ui, renderers, registerComponent } = G;
