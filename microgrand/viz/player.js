// The microgrand backprop player: replays the frames microgrand/viz/player.py wrote
// into the page, on the SVG picture beside them. No network, no libraries.
//
// A frame changes texts that stay (data, grads: applied from frame 0 up to the
// one shown) and lights things for itself alone (the node at work, its edges).
// The layout never changes: only texts and colours do, and the camera (the SVG's
// viewBox) moves to the node at work. Every text the page shows was written in
// Python; this script only chooses which one to show.
function microgradPlayer(script, id) {
  "use strict";
  // the player this script sits in, even where the output is not in the document by id yet
  var root = (script && script.closest && script.closest(".mg-player")) || document.getElementById(id);
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var spec = JSON.parse(root.querySelector(".mg-data").textContent);
  var frames = spec.frames;
  var caption = root.querySelector(".mg-caption");
  var view = root.querySelector(".mg-view");

  // The page holds the picture as an <img> (what a sanitiser keeps); make it inline SVG again
  var img = view.querySelector("img.mg-picture");
  var bytes = atob(img.getAttribute("src").split(",")[1]);
  var text = new TextDecoder("utf-8").decode(Uint8Array.from(bytes, function (c) { return c.charCodeAt(0); }));
  var svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
  svg = document.importNode(svg, true);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", img.getAttribute("alt"));
  img.replaceWith(svg);

  // the controls exist only where this script runs: no dead buttons anywhere else
  var ui = document.createElement("div");
  ui.innerHTML = spec.ui;
  var parts = Array.prototype.slice.call(ui.children);
  root.insertBefore(parts[0], caption);
  parts.slice(1).reverse().forEach(function (p) { caption.after(p); });

  var slider = root.querySelector("input[type=range]");
  var count = root.querySelector(".mg-count");
  var playButton = root.querySelector("[data-act=play]");
  var follow = root.querySelector(".mg-follow");
  var explain = root.querySelector(".mg-explain");
  var quiz = root.querySelector(".mg-quiz");
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
  // an edge is a 1 px line: a wide invisible copy of it is what a pointer or a finger finds
  Object.keys(edges).forEach(function (k) {
    var hit = edges[k].querySelector("path").cloneNode();
    hit.setAttribute("stroke", "transparent");
    hit.setAttribute("stroke-width", "12");
    hit.setAttribute("data-hit", k);
    edges[k].appendChild(hit);
  });

  function paint(group, colour, width) {
    group.setAttribute("stroke", colour);
    group.setAttribute("fill", colour);
    group.setAttribute("stroke-width", width);
    var hit = group.querySelector("[data-hit]");
    if (hit) hit.setAttribute("stroke", "transparent");
  }

  // Boxes are sized for Helvetica's widths (Arial and Liberation Sans share them). In a
  // wider font a text could spill out of its cell: squeeze it to fit instead.
  // All writes, then all reads, then all writes: one layout per frame, however big the graph.
  var fitted = svg.querySelectorAll("[data-fit]");
  function fitTexts() {
    fitted.forEach(function (t) { t.removeAttribute("textLength"); });
    var long = [];
    fitted.forEach(function (t) {
      if (t.getComputedTextLength() > Number(t.getAttribute("data-fit"))) long.push(t);
    });
    long.forEach(function (t) {
      t.setAttribute("textLength", t.getAttribute("data-fit"));
      t.setAttribute("lengthAdjust", "spacingAndGlyphs");
    });
  }
  function setText(t, s) {
    if (t.textContent !== s) t.textContent = s;
  }

  var shown = 0;
  var answered = {}; // quiz frames answered (or shown) so far
  function asking(f) { return !!(spec.quiz && frames[f].q && !answered[f]); }

  function show(f) {
    f = Math.max(0, Math.min(frames.length - 1, f));
    shown = f;
    var fr = frames[f], masked = asking(f);
    var data = {}, grads = {};
    for (var k = 0; k <= f; k++) {
      frames[k].d.forEach(function (c) { data[c[0]] = c[1]; });
      if (k < f || !masked) frames[k].g.forEach(function (c) { grads[c[0]] = c; });
    }
    Object.keys(dataText).forEach(function (i) { if (i in data) setText(dataText[i], data[i]); });
    Object.keys(gradText).forEach(function (i) {
      var g = grads[i];
      if (!g) return;
      setText(gradText[i], g[1]);
      var partial = g[2] === 1;
      gradText[i].setAttribute("fill", partial ? PARTIAL : (/ \?$/.test(g[1]) ? UNKNOWN : "black"));
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
      setText(labels[i], baseLabel[i]);
      labels[i].setAttribute("fill", "black");
      labels[i].removeAttribute("data-lit");
    });
    // this frame's light
    var colour = fr.b ? RED : BLUE;
    if (fr.h >= 0 && boxes[fr.h]) {
      var r = boxes[fr.h].querySelector("rect");
      r.setAttribute("stroke", colour);
      r.setAttribute("stroke-width", "3");
      boxes[fr.h].setAttribute("data-lit", "1");
      if (ops[fr.h]) { ops[fr.h].setAttribute("stroke", colour); ops[fr.h].setAttribute("stroke-width", "2"); }
      if (opEdges[fr.h]) paint(opEdges[fr.h], colour, "2");
    }
    (masked ? fr.q.edges : fr.e).forEach(function (c) {
      if (edges[c[0]]) { paint(edges[c[0]], colour, "2"); edges[c[0]].setAttribute("data-lit", "1"); }
      if (labels[c[0]]) {
        setText(labels[c[0]], c[1]);
        labels[c[0]].setAttribute("fill", colour);
        labels[c[0]].setAttribute("data-lit", "1");
      }
    });
    fitTexts();
    caption.textContent = masked ? fr.q.ask : fr.c;
    slider.value = String(f);
    count.textContent = (f + 1) + " / " + frames.length;
    if (quiz) {
      quiz.hidden = !fr.q;
      if (fr.q) {
        var box = quiz.querySelector(".mg-answer");
        box.disabled = !masked;
        if (masked && quiz.dataset.frame !== String(f)) { box.value = ""; quiz.querySelector(".mg-hint").textContent = ""; }
        quiz.dataset.frame = String(f);
      }
    }
    var whole = size();
    if (follow.checked && full[2] * scale <= whole[0] && full[3] * scale <= whole[1]) {
      lookAt(full[0] + full[2] / 2, full[1] + full[3] / 2, scale); // all of it is in view: keep it so
    } else if (follow.checked && fr.h >= 0 && boxes[fr.h]) { // the node, its op and its edges' numbers
      var parts = [boxes[fr.h], ops[fr.h]].concat(fr.e.map(function (c) { return labels[c[0]]; }));
      var b = null;
      parts.forEach(function (el) {
        if (!el) return;
        var r = el.getBBox();
        b = b ? [Math.min(b[0], r.x), Math.min(b[1], r.y), Math.max(b[2], r.x + r.width), Math.max(b[3], r.y + r.height)]
          : [r.x, r.y, r.x + r.width, r.y + r.height];
      });
      var wh = size(), box = boxes[fr.h].getBBox();
      // all of it if it fits, else the node itself (and as much of its edges as fits beside it)
      var w = wh[0] / scale, fits = b[2] - b[0] <= w;
      var cx = fits ? (b[0] + b[2]) / 2 : box.width + 12 > w ? box.x + box.width / 2 : box.x + box.width + 6 - w / 2;
      var cy = b[3] - b[1] <= wh[1] / scale ? (b[1] + b[3]) / 2 : box.y + box.height / 2;
      lookAt(cx, cy, scale);
    }
  }

  // ---- the quiz: an answer within 4 significant digits is right; a wrong one gets a hint
  function parse(s) {
    s = s.trim().replace(/\u2212/g, "-").replace(/,/g, ".").toLowerCase();
    if (/^[+-]?(inf|infinity)$/.test(s)) return s[0] === "-" ? -Infinity : Infinity;
    if (s === "nan") return NaN;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return null;
    return Number(s);
  }
  function same(a, b) {
    if (isNaN(b)) return isNaN(a);
    if (!isFinite(b) || !isFinite(a)) return a === b;
    return Number(a.toPrecision(4)) === Number(b.toPrecision(4)) || Math.abs(a - b) <= 5e-4 * Math.abs(b);
  }
  function check() {
    var q = frames[shown].q, hint = quiz.querySelector(".mg-hint");
    var typed = parse(quiz.querySelector(".mg-answer").value);
    var answer = parse(q.answer);
    if (typed === null) { hint.textContent = "Type a number, e.g. -2 or 0.5."; return; }
    if (same(typed, answer)) {
      answered[shown] = true;
      show(shown);
      hint.textContent = "Right: the gradient of " + q.who + " is " + q.shown + ".";
      return;
    }
    var found = q.hints.filter(function (h) { return same(typed, parse(h[0])); });
    hint.textContent = (found.length ? found[0][1] : q.general) + " Try again, or press Show.";
  }
  function reveal() {
    var q = frames[shown].q;
    answered[shown] = true;
    show(shown);
    quiz.querySelector(".mg-hint").textContent = "The gradient of " + q.who + " is " + q.shown + ".";
  }

  var timer = null;
  function setPlaying(on) {
    if (timer) { clearInterval(timer); timer = null; }
    if (on) {
      if (shown >= frames.length - 1) show(0);
      timer = setInterval(function () {
        if (shown >= frames.length - 1 || asking(shown)) { setPlaying(false); return; }
        show(shown + 1);
      }, spec.interval);
    }
    playButton.setAttribute("aria-label", on ? "Pause" : "Play");
    playButton.setAttribute("title", on ? "Pause" : "Play");
    playButton.textContent = on ? "Pause" : "Play";
  }

  // ---- the camera: the viewBox, as a centre and a scale (CSS px per SVG unit). At the
  // default scale 1 every text is drawn at its own size (11 px and up); "Fit" shows it all.
  var full = svg.getAttribute("viewBox").split(" ").map(Number);
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.style.cssText = "display:block; width:100%; height:100%";
  view.style.cssText = "overflow:hidden; border:1px solid #ddd; cursor:grab; touch-action:none; position:relative";
  var scale = 1, centre = [0, 0];
  function size() {
    var h = Math.max(220, Math.min(full[3] + 2, window.innerHeight * 0.65));
    view.style.height = h + "px";
    return [view.clientWidth || full[2], h];
  }
  function lookAt(cx, cy, s) {
    scale = s;
    centre = [cx, cy];
    var wh = size(), w = wh[0] / s, h = wh[1] / s;
    svg.setAttribute("viewBox", [cx - w / 2, cy - h / 2, w, h].map(function (v) { return v.toFixed(1); }).join(" "));
  }
  function fitScale() {
    var wh = size();
    return Math.min(1, wh[0] / full[2], wh[1] / full[3]);
  }
  function home() { // scale 1, the whole height if it fits, the inputs' end first
    var wh = size(), w = wh[0], h = wh[1];
    lookAt(full[2] <= w ? full[0] + full[2] / 2 : full[0] + w / 2, full[3] <= h ? full[1] + full[3] / 2 : full[1] + h / 2, 1);
  }
  window.addEventListener("resize", function () { lookAt(centre[0], centre[1], scale); });

  // ---- pointing: a press that moves pans; one that does not is a tap (explore)
  var press = null;
  function describe(target) {
    var el = target && target.closest ? target.closest("[data-hit],[data-edge],[data-elabel],[data-box]") : null;
    if (!el || !spec.explore) return false;
    var e = el.getAttribute("data-hit") || el.getAttribute("data-edge") || el.getAttribute("data-elabel");
    var item, what;
    if (e !== null) { item = spec.explore.edges[Number(e)]; what = "edge"; }
    else { item = spec.explore.nodes[Number(el.getAttribute("data-box"))]; what = "box"; }
    if (!item) return false;
    if (what === "edge") {
      explain.textContent = item[0] + (item[2] >= 0 && shown >= item[2] ? ". " + item[1] + "." :
        ". Step on: the product of the chain rule appears here once it is known.");
    } else {
      explain.textContent = shown >= item[1] ? item[0] : "Not known yet at this frame: step on until this box's last share has arrived.";
    }
    return true;
  }
  svg.addEventListener("pointerover", function (e) { if (!press) describe(e.target); });
  svg.addEventListener("pointerdown", function (e) {
    press = { x: e.clientX, y: e.clientY, centre: centre.slice(), moved: false, target: e.target, id: e.pointerId };
  });
  svg.addEventListener("pointermove", function (e) {
    if (!press) return;
    var dx = e.clientX - press.x, dy = e.clientY - press.y;
    if (!press.moved && dx * dx + dy * dy < 16) return;
    if (!press.moved && svg.setPointerCapture) svg.setPointerCapture(press.id);
    press.moved = true;
    lookAt(press.centre[0] - dx / scale, press.centre[1] - dy / scale, scale);
  });
  function release() {
    if (press && !press.moved) describe(press.target);
    press = null;
  }
  svg.addEventListener("pointerup", release);
  svg.addEventListener("pointercancel", function () { press = null; });

  var actions = {
    first: function () { setPlaying(false); show(0); },
    prev: function () { setPlaying(false); show(shown - 1); },
    play: function () { setPlaying(!timer); },
    next: function () {
      setPlaying(false);
      if (asking(shown)) { // ask before telling: an answer (or Show) first
        quiz.querySelector(".mg-hint").textContent = "Type your answer and press Check, or press Show.";
        quiz.querySelector(".mg-answer").focus();
        return;
      }
      show(shown + 1);
    },
    last: function () { setPlaying(false); show(frames.length - 1); },
    zoomin: function () { lookAt(centre[0], centre[1], scale * 1.25); },
    zoomout: function () { lookAt(centre[0], centre[1], scale / 1.25); },
    fit: function () { lookAt(full[0] + full[2] / 2, full[1] + full[3] / 2, fitScale()); },
    check: check,
    reveal: reveal
  };
  root.querySelectorAll("button[data-act]").forEach(function (b) {
    b.addEventListener("click", function () { actions[b.dataset.act](); });
  });
  slider.addEventListener("input", function () { setPlaying(false); show(Number(slider.value)); });
  follow.addEventListener("change", function () { if (follow.checked) show(shown); });
  // a click anywhere in the player gives it the keys (not just its buttons)
  root.addEventListener("pointerdown", function (e) {
    if (!e.target.closest("input,button,label")) root.focus({ preventScroll: true });
  });
  // Keys go to the player, not to the notebook around it (JupyterLab binds ← → and more)
  root.addEventListener("keydown", function (e) {
    var t = e.target;
    if (t.classList && t.classList.contains("mg-answer")) {
      if (e.key === "Enter") { e.preventDefault(); check(); }
      if (e.key !== "Escape") e.stopPropagation();
      return;
    }
    var act = { ArrowRight: "next", ArrowLeft: "prev", Home: "first", End: "last" }[e.key];
    if (!act) return;
    e.stopPropagation();
    if (t === slider) return; // the slider moves itself with the arrow keys
    e.preventDefault();
    actions[act]();
  });

  home();
  show(0);
}
