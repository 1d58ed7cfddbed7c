// Python in the page: the exercises of a notebook page and the Graph Lab run here, in Pyodide
// (CPython compiled to WebAssembly) with microgrand's wheel, both served by this site.
//
// Reading a page loads nothing: Python starts on the first Run or Draw (about 13 MB, once per
// page), with a visible "starting Python…" state. What runs is site/_static/mg_page.py; this file
// only builds the controls and passes text in and out. No request leaves the site.
(function () {
  "use strict";

  var STATIC = new URL(".", document.currentScript.src).href; // the site's _static/ folder
  var runtime = null; // one Python per page, started by the first Run

  function startPython() {
    if (location.protocol === "file:") {
      return Promise.reject(new Error(
        "Python cannot start on a page opened as a file: serve the site over HTTP " +
        "(python -m http.server in the built site's folder) and open it from there"));
    }
    return (async function () {
      var info = await (await fetch(STATIC + "pyodide/runtime.json")).json();
      var module = await import(STATIC + "pyodide/pyodide.mjs");
      var py = await module.loadPyodide({ indexURL: STATIC + "pyodide/" });
      var wheel = await fetch(STATIC + "pyodide/" + info.wheel);
      if (!wheel.ok) throw new Error("microgrand's wheel is missing from the site (" + info.wheel + ")");
      py.unpackArchive(await wheel.arrayBuffer(), "wheel");
      var namespace = py.globals.get("dict")();
      py.runPython(await (await fetch(STATIC + "mg_page.py")).text(), { globals: namespace });
      return { py: py, namespace: namespace };
    })();
  }

  function python() {
    if (runtime === null) {
      runtime = startPython();
      runtime.catch(function () { runtime = null; }); // a failed start may be retried
    }
    return runtime;
  }

  // call mg_page.NAME(...args) and return its dict as a plain object
  async function call(name, args) {
    var rt = await python();
    var fn = rt.namespace.get(name);
    var pyArgs = args.map(function (a) { return rt.py.toPy(a); });
    var result = fn.apply(null, pyArgs);
    var plain = result.toJs({ dict_converter: Object.fromEntries });
    [fn, result].concat(pyArgs).forEach(function (p) { if (p && p.destroy) p.destroy(); });
    return plain;
  }

  function element(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text) el.textContent = text;
    return el;
  }

  // while Python starts (only the first time) or runs, say so; `status` is the role=status element
  async function withPython(status, button, work) {
    button.disabled = true;
    status.className = "mg-status mg-busy";
    status.textContent = runtime === null
      ? "starting Python… (the first run loads Python into this page: a few seconds)"
      : "running…";
    try {
      await python();
      status.textContent = "running…";
      await new Promise(function (done) { setTimeout(done, 0); }); // let the page show it
      await work();
    } catch (error) {
      status.className = "mg-status mg-error";
      status.textContent = String(error && error.message ? error.message : error);
    } finally {
      button.disabled = false;
    }
  }

  function editor(code, label) {
    var box = element("textarea", { class: "mg-code", spellcheck: "false", "aria-label": label,
      autocapitalize: "off", autocomplete: "off" });
    box.value = code;
    function fit() { box.rows = Math.max(3, box.value.split("\n").length + 1); }
    box.addEventListener("input", fit);
    fit();
    return box;
  }

  // ------------------------------------------------------------------ the exercises

  function exerciseWidget(id, spec, notebookUrl) {
    var region = element("section", { class: "mg-exercise", role: "region",
      "aria-label": "Exercise " + id, id: "exercise-" + id });
    region.appendChild(element("p", { class: "mg-exercise-title" }, "Exercise " + id));
    if (spec.notebook_only) {
      var note = element("p", { class: "mg-note" },
        "This exercise runs in the notebook only: " + spec.notebook_only + ". ");
      if (notebookUrl) {
        var link = element("a", { href: notebookUrl }, "Open the notebook");
        note.appendChild(link);
      }
      region.appendChild(note);
      return region;
    }
    var box = editor(spec.code, "Your code for exercise " + id);
    var run = element("button", { type: "button", class: "mg-run" }, "Run");
    var reset = element("button", { type: "button", class: "mg-reset" }, "Reset");
    var buttons = element("div", { class: "mg-buttons" });
    buttons.append(run, reset, element("span", { class: "mg-tip" },
      "runs the setup, your code, then the check, here in your browser"));
    var status = element("div", { role: "status", class: "mg-status", "aria-live": "polite" });
    region.append(box, buttons, status);
    if (spec.setup.length) { // the cells it needs, from earlier on the page: one click away
      var setup = element("details", { class: "mg-setup" });
      setup.append(element("summary", {}, "what runs before your code (from earlier cells)"),
        element("pre", {}, spec.setup.join("\n\n")));
      region.appendChild(setup);
    }

    function go() {
      return withPython(status, run, async function () {
        var result = await call("run_exercise", [spec.setup, box.value, spec.check]);
        status.className = "mg-status mg-" + result.outcome.replace(" ", "-");
        status.textContent = "";
        if (result.output) status.appendChild(element("pre", { class: "mg-output" }, result.output));
        if (result.message) status.appendChild(element("p", { class: "mg-message" }, result.message));
      });
    }
    run.addEventListener("click", go);
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.shiftKey || e.ctrlKey || e.metaKey)) { e.preventDefault(); go(); }
    });
    reset.addEventListener("click", function () {
      box.value = spec.code;
      box.dispatchEvent(new Event("input"));
      status.className = "mg-status";
      status.textContent = "";
    });
    return region;
  }

  function exerciseId(cell) {
    for (var i = 0; i < cell.classList.length; i++) {
      var m = /^tag_mg-exercise-(.+)$/.exec(cell.classList[i]);
      if (m) return m[1];
    }
    return null;
  }

  async function setUpExercises() {
    var cells = Array.prototype.filter.call(document.querySelectorAll(".cell"), exerciseId);
    if (cells.length === 0) return;
    var stem = location.pathname.split("/").pop().replace(/\.html$/, "");
    var table = await (await fetch(STATIC + "exercises/" + stem + ".json")).json();
    cells.forEach(function (cell) {
      var id = exerciseId(cell);
      var spec = table.exercises[id];
      if (!spec) return;
      cell.parentNode.insertBefore(exerciseWidget(id, spec, table.notebook_url), cell);
      if (!spec.notebook_only) cell.hidden = true; // the editable box replaces the static cell
    });
  }

  // ------------------------------------------------------------------ the Graph Lab

  // a fragment's scripts do not run when set as innerHTML: make each anew so that it does
  function showHtml(target, html) {
    target.innerHTML = html;
    target.querySelectorAll("script").forEach(function (old) {
      if (old.type && old.type !== "text/javascript") return; // data, not code
      var fresh = document.createElement("script");
      fresh.textContent = old.textContent;
      old.replaceWith(fresh);
    });
  }

  function setUpLab() {
    var lab = document.getElementById("mg-graph-lab");
    var start = document.querySelector(".mg-lab-start");
    if (!lab || !start) return;
    var code = start.querySelector("pre").textContent.replace(/\n+$/, "");
    start.hidden = true;
    var box = editor(code, "Python that computes a Value");
    var draw = element("button", { type: "button", class: "mg-run" }, "Draw");
    var reset = element("button", { type: "button", class: "mg-reset" }, "Reset");
    var buttons = element("div", { class: "mg-buttons" });
    buttons.append(draw, reset, element("span", { class: "mg-tip" },
      "draws the Value of the last line (or the one it names), then step with ◀ ▶"));
    var status = element("div", { role: "status", class: "mg-status", "aria-live": "polite" });
    var picture = element("div", { class: "mg-lab-player" });
    lab.append(box, buttons, status, picture);

    function go() {
      return withPython(status, draw, async function () {
        var result = await call("draw", [box.value]);
        status.textContent = "";
        if (result.output) status.appendChild(element("pre", { class: "mg-output" }, result.output));
        if (result.error) {
          status.className = "mg-status mg-error";
          status.appendChild(element("p", { class: "mg-message" }, result.error));
          return;
        }
        status.className = "mg-status mg-pass";
        status.appendChild(element("p", { class: "mg-message" },
          "drawn: step through the forward and the backward pass below"));
        showHtml(picture, result.html);
      });
    }
    draw.addEventListener("click", go);
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.shiftKey || e.ctrlKey || e.metaKey)) { e.preventDefault(); go(); }
    });
    reset.addEventListener("click", function () {
      box.value = code;
      box.dispatchEvent(new Event("input"));
    });
  }

  function setUp() {
    setUpLab();
    setUpExercises().catch(function (error) { console.warn("exercises not runnable here:", error); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
