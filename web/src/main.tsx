import React from "react";
import ReactDOM from "react-dom/client";
import { App } from "./App";
import { exposeSharedModules, provideSharedComponents } from "./lib/plugin-runtime";
import * as ui from "./components/ui";
import { RENDERERS } from "./components/renderers";
import { applyTheme } from "./lib/theme";
import "./index.css";

applyTheme();
exposeSharedModules();
provideSharedComponents({ ...ui }, { ...RENDERERS });

ReactDOM.createRoot(document.getElementById("root")!).render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
