import { describe, expect, it } from "vitest";
import { getThemeChoice, setThemeChoice } from "./theme";

describe("theme", () => {
  it("follows the system by default and persists an explicit choice", () => {
    expect(getThemeChoice()).toBe("system");
    setThemeChoice("dark");
    expect(document.documentElement.classList.contains("dark")).toBe(true);
    expect(localStorage.getItem("gantry-theme")).toBe("dark");
    setThemeChoice("light");
    expect(document.documentElement.classList.contains("dark")).toBe(false);
    setThemeChoice("system");
    expect(localStorage.getItem("gantry-theme")).toBeNull();
  });
});
