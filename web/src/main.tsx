import React from "react";
import ReactDOM from "react-dom/client";
import { App, defaultClient } from "./App";
import { meQuery } from "./lib/auth";
import { exposeSharedModules, provideSharedComponents } from "./lib/plugin-runtime";
import * as ui from "./components/ui";
import { RENDERERS } from "./components/renderers";
import { applyTheme } from "./lib/theme";
import "./index.css";

// The session check starts now, in parallel with the first render, instead of from its effects.
void defaultClient.prefetchQuery(meQuery);
applyTheme();
exposeSharedModules();
provideSharedComponents({ ...ui }, { ...RENDERERS });

ReactDOM.createRoot(document.getElementById("root")!).render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
