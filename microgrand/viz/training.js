// The microgrand training player: replays the frames microgrand/viz/training.py wrote
// into the page, on the two SVG pictures beside them. No network, no libraries.
//
// Python drew the last frame; every frame says what it looks like (the regions as runs of
// grid cells, the boundary as a path, the points predicted wrong, the texts, the epoch's
// place on the loss chart), and this script only sets those: the layout never changes.
function microgradTrainingPlayer(script, id) {
  "use strict";
  var root = (script && script.closest && script.closest(".mg-training")) || document.getElementById(id);
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var SVG = "http://www.w3.org/2000/svg";
  var spec = JSON.parse(root.querySelector(".mg-data").textContent);
  var frames = spec.frames;
  var caption = root.querySelector(".mg-caption");

  // The page holds the pictures as <img> (what a sanitiser keeps); make them inline SVG again
  root.querySelectorAll("img.mg-picture").forEach(function (img) {
    var bytes = atob(img.getAttribute("src").split(",")[1]);
    var text = new TextDecoder("utf-8").decode(Uint8Array.from(bytes, function (c) { return c.charCodeAt(0); }));
    var svg = document.importNode(new DOMParser().parseFromString(text, "image/svg+xml").documentElement, true);
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("style", "width:100%; height:auto; display:block");
    img.replaceWith(svg);
  });
  // the controls exist only where this script runs: no dead buttons anywhere else
  var ui = document.createElement("div");
  ui.innerHTML = spec.ui;
  root.insertBefore(ui.firstChild, caption);

  var plane = root.querySelector("svg.mg-plane"), chart = root.querySelector("svg.mg-chart");
  var cells = plane.querySelector(".mg-cells"), boundary = plane.querySelector(".mg-boundary");
  var heading = plane.querySelector(".mg-heading"), scores = plane.querySelector(".mg-scores");
  var n = Number(cells.dataset.n), colours = cells.dataset.colours.split(","), nan = cells.dataset.nan;
  var rings = plane.querySelectorAll(".mg-rings circle"); // one per point, in the points' order
  var now = chart.querySelector(".mg-now");
  var dots = [chart.querySelector(".mg-now-train"), chart.querySelector(".mg-now-val")];
  var bottom = now.getAttribute("y2");
  var NOW = spec.colours.now, RESTORED = spec.colours.restored;
  var slider = root.querySelector("input[type=range]");
  var count = root.querySelector(".mg-count");
  var playButton = root.querySelector("[data-act=play]");

  function drawCells(runs) {
    // the same rectangles training.py's _cell_rects draws: one per run, in grid cells
    while (cells.firstChild) cells.removeChild(cells.firstChild);
    for (var k = 0, at = 0; k < runs.length; k += 2) {
      var r = document.createElementNS(SVG, "rect"), cls = runs[k];
      r.setAttribute("x", String(at % n));
      r.setAttribute("y", String(Math.floor(at / n)));
      r.setAttribute("width", String(runs[k + 1]));
      r.setAttribute("height", "1");
      r.setAttribute("fill", cls >= 0 ? colours[cls] : nan);
      r.setAttribute("data-class", String(cls));
      cells.appendChild(r);
      at += runs[k + 1];
    }
  }

  var shown = frames.length - 1;
  function show(f) {
    f = Math.max(0, Math.min(frames.length - 1, f));
    shown = f;
    var fr = frames[f];
    drawCells(fr.r);
    boundary.setAttribute("d", fr.b);
    var wrong = {};
    fr.w.forEach(function (k) { wrong[k] = true; });
    rings.forEach(function (ring, k) { ring.setAttribute("visibility", wrong[k] ? "visible" : "hidden"); });
    heading.textContent = fr.h;
    heading.setAttribute("fill", fr.s ? RESTORED : "black");
    scores.textContent = fr.a;
    plane.setAttribute("data-restored", String(fr.s));
    var x = String(fr.m[0]);
    now.setAttribute("x1", x);
    now.setAttribute("x2", x);
    now.setAttribute("stroke", fr.s ? RESTORED : NOW);
    dots.forEach(function (dot, k) {
      var y = fr.m[k + 1];
      dot.setAttribute("cx", x);
      dot.setAttribute("cy", y === null ? bottom : String(y));
      dot.setAttribute("visibility", y === null ? "hidden" : "visible");
    });
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

  var actions = {
    first: function () { setPlaying(false); show(0); },
    prev: function () { setPlaying(false); show(shown - 1); },
    play: function () { setPlaying(!timer); },
    next: function () { setPlaying(false); show(shown + 1); },
    last: function () { setPlaying(false); show(frames.length - 1); }
  };
  root.querySelectorAll("button[data-act]").forEach(function (b) {
    b.addEventListener("click", function () { actions[b.dataset.act](); });
  });
  slider.addEventListener("input", function () { setPlaying(false); show(Number(slider.value)); });
  // clicking the pictures gives the player focus, so the keys work without a Tab first
  root.addEventListener("pointerdown", function (e) {
    if (!e.target.closest("button, input")) root.focus({ preventScroll: true });
  });
  root.addEventListener("keydown", function (e) {
    if (e.target === slider) { e.stopPropagation(); return; } // the slider moves itself
    var act = { ArrowRight: "next", ArrowLeft: "prev", Home: "first", End: "last" }[e.key];
    if (!act) return;
    e.preventDefault();
    e.stopPropagation(); // a notebook's own shortcuts must not take the key as well
    actions[act]();
  });

  show(frames.length - 1);
}
