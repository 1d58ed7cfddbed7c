// The microgrand backprop player: replays the frames microgrand/player.py wrote
// into the page, on the SVG picture beside them. No network, no libraries.
//
// A frame changes texts that stay (data, grads: applied from frame 0 up to the
// one shown) and lights things for itself alone (the node at work, its edges).
// The layout never changes: only texts and colours do.
function microgradPlayer(script, id) {
  "use strict";
  // the player this script sits in, even where the output is not in the document by id yet
  var root = (script && script.closest && script.closest(".mg-player")) || document.getElementById(id);
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var spec = JSON.parse(root.querySelector(".mg-data").textContent);
  var frames = spec.frames;
  var svg = root.querySelector("svg");
  var caption = root.querySelector(".mg-caption");
  var slider = root.querySelector("input[type=range]");
  var count = root.querySelector(".mg-count");
  var playButton = root.querySelector("[data-act=play]");
  var RED = spec.colours.backward, BLUE = spec.colours.forward, PARTIAL = spec.colours.partial;
  var UNKNOWN = spec.colours.unknown;

  function all(attr) {
    var found = {};
    svg.querySelectorAll("[" + attr + "]").forEach(function (el) { found[el.getAttribute(attr)] = el; });
    return found;
  }
  var boxes = all("data-box"), dataText = all("data-data"), gradText = all("data-grad");
  var ops = all("data-op"), opEdges = all("data-opedge"), edges = all("data-edge"), labels = all("data-elabel");
  var baseLabel = {};
  Object.keys(labels).forEach(function (k) { baseLabel[k] = labels[k].textContent; });
  var borders = {};
  Object.keys(boxes).forEach(function (k) {
    borders[k] = boxes[k].querySelector("rect").getAttribute("stroke-width");
  });

  function paint(group, colour, width) {
    group.setAttribute("stroke", colour);
    group.setAttribute("fill", colour);
    group.setAttribute("stroke-width", width);
  }

  // Boxes are sized for Helvetica's widths (Arial and Liberation Sans share them). In a
  // wider font a text could spill out of its cell: squeeze it to fit instead.
  var fitted = svg.querySelectorAll("[data-fit]");
  function fitTexts() {
    fitted.forEach(function (t) {
      t.removeAttribute("textLength");
      var room = Number(t.getAttribute("data-fit"));
      if (t.getComputedTextLength() > room) {
        t.setAttribute("textLength", String(room));
        t.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    });
  }

  var shown = 0;
  function show(f) {
    f = Math.max(0, Math.min(frames.length - 1, f));
    shown = f;
    var data = {}, grads = {};
    for (var k = 0; k <= f; k++) {
      frames[k].d.forEach(function (c) { data[c[0]] = c[1]; });
      frames[k].g.forEach(function (c) { grads[c[0]] = c; });
    }
    Object.keys(dataText).forEach(function (i) { if (i in data) dataText[i].textContent = data[i]; });
    Object.keys(gradText).forEach(function (i) {
      var g = grads[i];
      if (!g) return;
      gradText[i].textContent = g[1];
      var partial = g[2] === 1;
      gradText[i].setAttribute("fill", partial ? PARTIAL : (g[1] === "grad ?" ? UNKNOWN : "black"));
      gradText[i].setAttribute("font-style", partial ? "italic" : "normal");
    });
    // clear last frame's light
    Object.keys(boxes).forEach(function (i) {
      var r = boxes[i].querySelector("rect");
      r.setAttribute("stroke", "black");
      r.setAttribute("stroke-width", borders[i]);
      boxes[i].removeAttribute("data-lit");
    });
    Object.keys(ops).forEach(function (i) { ops[i].setAttribute("stroke", "black"); ops[i].setAttribute("stroke-width", "1"); });
    Object.keys(opEdges).forEach(function (i) { paint(opEdges[i], "black", "1"); });
    Object.keys(edges).forEach(function (i) { paint(edges[i], "black", "1"); edges[i].removeAttribute("data-lit"); });
    Object.keys(labels).forEach(function (i) {
      labels[i].textContent = baseLabel[i];
      labels[i].setAttribute("fill", "black");
      labels[i].removeAttribute("data-lit");
    });
    // this frame's light
    var fr = frames[f], colour = fr.b ? RED : BLUE;
    if (fr.h >= 0 && boxes[fr.h]) {
      var r = boxes[fr.h].querySelector("rect");
      r.setAttribute("stroke", colour);
      r.setAttribute("stroke-width", "3");
      boxes[fr.h].setAttribute("data-lit", "1");
      if (ops[fr.h]) { ops[fr.h].setAttribute("stroke", colour); ops[fr.h].setAttribute("stroke-width", "2"); }
      if (opEdges[fr.h]) paint(opEdges[fr.h], colour, "2");
    }
    fr.e.forEach(function (c) {
      if (edges[c[0]]) { paint(edges[c[0]], colour, "2"); edges[c[0]].setAttribute("data-lit", "1"); }
      if (labels[c[0]]) {
        labels[c[0]].textContent = c[1];
        labels[c[0]].setAttribute("fill", colour);
        labels[c[0]].setAttribute("data-lit", "1");
      }
    });
    fitTexts();
    caption.textContent = fr.c;
    slider.value = String(f);
    count.textContent = (f + 1) + " / " + frames.length;
  }

  var timer = null;
  function setPlaying(on) {
    if (timer) { clearInterval(timer); timer = null; }
    if (on) {
      if (shown >= frames.length - 1) show(0);
      timer = setInterval(function () {
        if (shown >= frames.length - 1) { setPlaying(false); return; }
        show(shown + 1);
      }, spec.interval);
    }
    playButton.setAttribute("aria-label", on ? "Pause" : "Play");
    playButton.setAttribute("title", on ? "Pause" : "Play");
    playButton.textContent = on ? "Pause" : "Play";
  }

  // zoom and pan: change the picture's viewBox; "Fit" puts the whole graph back
  var full = svg.getAttribute("viewBox").split(" ").map(Number);
  var view = full.slice();
  function setView(v) { view = v; svg.setAttribute("viewBox", v.join(" ")); }
  function zoom(factor) {
    var w = view[2] / factor, h = view[3] / factor;
    setView([view[0] + (view[2] - w) / 2, view[1] + (view[3] - h) / 2, w, h]);
  }
  var drag = null;
  svg.addEventListener("pointerdown", function (e) {
    drag = { x: e.clientX, y: e.clientY, view: view.slice() };
    if (svg.setPointerCapture) svg.setPointerCapture(e.pointerId);
  });
  svg.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var scale = view[2] / svg.getBoundingClientRect().width;
    setView([drag.view[0] - (e.clientX - drag.x) * scale, drag.view[1] - (e.clientY - drag.y) * scale, view[2], view[3]]);
  });
  svg.addEventListener("pointerup", function () { drag = null; });

  var actions = {
    first: function () { setPlaying(false); show(0); },
    prev: function () { setPlaying(false); show(shown - 1); },
    play: function () { setPlaying(!timer); },
    next: function () { setPlaying(false); show(shown + 1); },
    last: function () { setPlaying(false); show(frames.length - 1); },
    zoomin: function () { zoom(1.25); },
    zoomout: function () { zoom(0.8); },
    fit: function () { setView(full.slice()); }
  };
  root.querySelectorAll("button[data-act]").forEach(function (b) {
    b.addEventListener("click", function () { actions[b.dataset.act](); });
  });
  slider.addEventListener("input", function () { setPlaying(false); show(Number(slider.value)); });
  root.addEventListener("keydown", function (e) {
    if (e.target === slider) return; // the slider moves itself with the arrow keys
    var act = { ArrowRight: "next", ArrowLeft: "prev", Home: "first", End: "last" }[e.key];
    if (act) { e.preventDefault(); actions[act](); }
  });

  var controls = root.querySelector(".mg-controls"); // hidden until this script runs: no dead buttons
  controls.hidden = false;
  controls.style.display = "flex";
  show(0);
}
