// Review page: products with their transcript lines and clips, edited through the review API.
// Every change is one POST; the answer is the whole review again, drawn from scratch. Text goes
// in with textContent and input values only: nothing from the server is parsed as HTML.
// Times on this page are the played video's (recording_* in the answer, "clock": "recording" in
// edits): when cleaning cut frozen spans out of the recording, the plan's own times are on the
// shorter cleaned timeline and would point the player at the wrong moment.
(function () {
  "use strict";
  var root = document.getElementById("review");
  if (!root) return;
  var jobId = root.dataset.jobId;
  // Words in the page's language: base.html's <body data-i18n> carries every review.* message.
  var messages = JSON.parse(document.body.dataset.i18n || "{}").messages || {};
  var api = "/api/jobs/" + jobId + "/review";
  var video = document.getElementById("review-video");
  var state = null;
  var queue = [];  // the pieces still to play, [start, end] in recording time
  var heads = [];
  var MIN_WINDOW = 0.3;

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === "text") node.textContent = props[k];
      else if (k === "dataset") Object.assign(node.dataset, props[k]);
      else if (k in node) node[k] = props[k];
      else node.setAttribute(k, props[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function tr(key, fields) {
    var text = messages[key] || key;
    Object.keys(fields || {}).forEach(function (k) { text = text.replace("{" + k + "}", fields[k]); });
    return text;
  }

  function secs(t) { return (Math.round(t * 10) / 10).toFixed(1); }
  function val(t) { return String(Math.round(t * 100) / 100); }

  function show(message, isError) {
    var err = document.getElementById("review-error");
    var msg = document.getElementById("review-message");
    err.hidden = !isError;
    err.textContent = isError ? message : "";
    msg.textContent = isError ? "" : message;
  }

  function send(path, body) {
    return fetch(api + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body || {}),
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data.detail || r.statusText);
        return data;
      });
    });
  }

  function edit(body) {
    return send("/edits", body).then(function (view) {
      draw(view);
      show(tr("review.saved"));
    }).catch(function (e) { show(e.message, true); });
  }

  // [start, end] less the spans cleaning removed: what the clip shows of it.
  function piecesOf(start, end) {
    var out = [[start, end]];
    (state.removed || []).forEach(function (r) {
      out = out.reduce(function (acc, p) {
        if (r.end_seconds <= p[0] || r.start_seconds >= p[1]) return acc.concat([p]);
        if (r.start_seconds > p[0]) acc.push([p[0], r.start_seconds]);
        if (r.end_seconds < p[1]) acc.push([r.end_seconds, p[1]]);
        return acc;
      }, []);
    });
    return out;
  }

  function play(pieces) {
    queue = pieces.filter(function (p) { return p[1] > p[0]; });
    if (!queue.length) return;
    video.currentTime = queue[0][0];
    video.play().catch(function () {});
  }

  // A line spoken while two products overlap shows under both: ids name the item too.
  function lineRow(itemId, line) {
    var input = el("input", {
      type: "text", value: line.text, id: "line-" + itemId + "-" + line.id, className: "line-text",
      "aria-label": secs(line.recording_start_seconds) + "s",
    });
    var save = el("button", { type: "button", className: "small save-line", text: tr("review.save_line") });
    save.addEventListener("click", function () {
      edit({ kind: "transcript", segment_id: line.id, text: input.value });
    });
    input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") save.click(); });
    var time = el("span", { className: "time", text: secs(line.recording_start_seconds) + "s" });
    time.addEventListener("click", function () {
      play(piecesOf(line.recording_start_seconds, line.recording_end_seconds));
    });
    var li = el("li", { dataset: { line: line.id }, className: line.fixed ? "fixed" : "" }, [time, input, save]);
    if (line.fixed) li.appendChild(el("span", { className: "raw", text: tr("review.line_fixed", { raw: line.raw_text }) }));
    return li;
  }

  // A clip's bar: its windows over a stretch of the video a little wider than the clip, the
  // spans cleaning removed striped, and a start and an end handle on each window that fill the
  // number inputs (drag them, or focus one and use the arrow keys; "apply" sends the inputs).
  function timeline(clip, body) {
    var lo = Math.min.apply(null, clip.windows.map(function (w) { return w.recording_start_seconds; }));
    var hi = Math.max.apply(null, clip.windows.map(function (w) { return w.recording_end_seconds; }));
    var pad = Math.max(5, (hi - lo) * 0.25);
    var a = Math.max(0, lo - pad);
    var b = Math.min(state.recording_duration_seconds || hi + pad, hi + pad);
    var bar = el("div", { className: "timeline", title: secs(a) + "–" + secs(b) + " s", dataset: { from: a, to: b } });
    function pct(t) { return (100 * (t - a) / (b - a)) + "%"; }
    (state.removed || []).forEach(function (r) {
      var s = Math.max(a, r.start_seconds), e = Math.min(b, r.end_seconds);
      if (e <= s) return;
      var cut = el("div", { className: "cut", title: secs(r.start_seconds) + "–" + secs(r.end_seconds) + " s" });
      cut.style.left = pct(s);
      cut.style.width = (100 * (e - s) / (b - a)) + "%";
      bar.appendChild(cut);
    });
    var layer = el("div", { className: "wins" });
    bar.appendChild(layer);
    var head = el("div", { className: "head", dataset: { from: a, to: b } });
    bar.appendChild(head);
    heads.push(head);

    function timeAt(clientX) {
      var r = bar.getBoundingClientRect();
      return a + (b - a) * Math.max(0, Math.min(1, (clientX - r.left) / r.width));
    }

    function handle(win, startIn, endIn, edge, n) {
      var input = edge === "start" ? startIn : endIn;
      var h = el("div", {
        className: "handle handle-" + edge, tabIndex: 0, role: "slider",
        "aria-label": edge === "start" ? tr("review.handle_start", { n: n }) : tr("review.handle_end", { n: n }),
        "aria-valuemin": val(a), "aria-valuemax": val(b),
      });
      function place() {
        var s = parseFloat(startIn.value), e = parseFloat(endIn.value);
        win.style.left = pct(s);
        win.style.width = (100 * (e - s) / (b - a)) + "%";
        h.style.left = pct(edge === "start" ? s : e);
        h.setAttribute("aria-valuenow", input.value);
        h.setAttribute("aria-valuetext", input.value + " s");
      }
      function set(t) {
        var s = parseFloat(startIn.value), e = parseFloat(endIn.value);
        t = edge === "start" ? Math.min(t, e - MIN_WINDOW) : Math.max(t, s + MIN_WINDOW);
        input.value = val(Math.max(a, Math.min(b, t)));
        win.place();
      }
      win.places.push(place);
      h.addEventListener("pointerdown", function (ev) {
        ev.preventDefault();
        ev.stopPropagation();
        h.focus();
        h.setPointerCapture(ev.pointerId);
        h.classList.add("dragging");
      });
      h.addEventListener("pointermove", function (ev) {
        if (h.hasPointerCapture(ev.pointerId)) set(timeAt(ev.clientX));
      });
      function drop(ev) {
        if (!h.hasPointerCapture(ev.pointerId)) return;
        h.releasePointerCapture(ev.pointerId);
        h.classList.remove("dragging");
        video.currentTime = parseFloat(input.value);  // show the frame at the new edge
      }
      h.addEventListener("pointerup", drop);
      h.addEventListener("pointercancel", drop);
      h.addEventListener("click", function (ev) { ev.stopPropagation(); });
      h.addEventListener("keydown", function (ev) {
        var step = ev.shiftKey ? 1 : 0.1;
        var keys = { ArrowLeft: -step, ArrowDown: -step, ArrowRight: step, ArrowUp: step };
        if (!(ev.key in keys)) return;
        ev.preventDefault();
        set(parseFloat(input.value) + keys[ev.key]);
        video.currentTime = parseFloat(input.value);
      });
      return h;
    }

    function sync() {
      layer.textContent = "";
      Array.prototype.forEach.call(body.children, function (row, i) {
        var startIn = row.querySelector(".win-start"), endIn = row.querySelector(".win-end");
        var s = parseFloat(startIn.value), e = parseFloat(endIn.value);
        if (isNaN(s) || isNaN(e) || e <= s) return;
        var win = el("div", { className: "win" });
        win.places = [];
        win.place = function () { win.places.forEach(function (f) { f(); }); };
        layer.appendChild(win);
        layer.appendChild(handle(win, startIn, endIn, "start", i + 1));
        layer.appendChild(handle(win, startIn, endIn, "end", i + 1));
        win.place();
      });
    }

    bar.addEventListener("click", function (ev) { video.currentTime = timeAt(ev.clientX); });
    body.addEventListener("input", sync);
    body.sync = sync;
    return bar;
  }

  function windowRow(start0, end0, body) {
    var start = el("input", { type: "number", step: "0.1", min: "0", value: start0, className: "win-start", "aria-label": tr("review.start") });
    var end = el("input", { type: "number", step: "0.1", min: "0", value: end0, className: "win-end", "aria-label": tr("review.end") });
    var now1 = el("button", { type: "button", className: "small secondary", text: "⇤", title: tr("review.use_now") });
    now1.addEventListener("click", function () { start.value = secs(video.currentTime); body.sync(); });
    var now2 = el("button", { type: "button", className: "small secondary", text: "⇥", title: tr("review.use_now") });
    now2.addEventListener("click", function () { end.value = secs(video.currentTime); body.sync(); });
    var go = el("button", { type: "button", className: "small secondary play-window", text: "▶ " + tr("review.play") });
    go.addEventListener("click", function () { play(piecesOf(parseFloat(start.value), parseFloat(end.value))); });
    var rm = el("button", { type: "button", className: "small secondary", text: tr("review.remove_window") });
    var row = el("tr", {}, [
      el("td", {}, [start, now1]), el("td", {}, [end, now2]), el("td", {}, [go, rm]),
    ]);
    rm.addEventListener("click", function () {
      if (body.children.length > 1) { body.removeChild(row); body.sync(); }
    });
    return row;
  }

  function clipBox(clip) {
    var keep = el("input", { type: "checkbox", checked: clip.kept, id: "keep-" + clip.id, className: "keep" });
    keep.addEventListener("change", function () { edit({ kind: "keep", clip_id: clip.id, keep: keep.checked }); });
    var whole = el("button", { type: "button", className: "small secondary play-clip", text: "▶ " + tr("review.play") });
    whole.addEventListener("click", function () {
      play(clip.recording_pieces.map(function (p) { return [p.start_seconds, p.end_seconds]; }));
    });
    var head = el("div", { className: "row" }, [
      el("b", { text: tr("review.variant") + " " + clip.variant }),
      el("span", { className: "clip-duration", text: tr("review.duration", { s: secs(clip.duration_seconds) }) }),
      clip.score !== null ? el("span", { className: "score", text: String(Math.round(clip.score)) }) : null,
      whole,
      el("label", { className: "inline" }, [keep, document.createTextNode(" " + (clip.kept ? tr("review.keep") : tr("review.dropped")))]),
    ]);
    var body = el("tbody");
    clip.windows.forEach(function (w) {
      body.appendChild(windowRow(w.recording_start_seconds, w.recording_end_seconds, body));
    });
    var bar = timeline(clip, body);
    body.sync();
    var add = el("button", { type: "button", className: "small secondary add-window", text: tr("review.add_window") });
    add.addEventListener("click", function () {
      var t = video.currentTime || 0;
      body.appendChild(windowRow(secs(t), secs(t + 5), body));
      body.sync();
    });
    var apply = el("button", { type: "button", className: "small apply-windows", text: tr("review.apply_windows") });
    apply.addEventListener("click", function () {
      var windows = Array.prototype.map.call(body.children, function (row) {
        return {
          start_seconds: parseFloat(row.querySelector(".win-start").value),
          end_seconds: parseFloat(row.querySelector(".win-end").value),
        };
      });
      edit({ kind: "windows", clip_id: clip.id, windows: windows, clock: "recording" });
    });
    return el("div", { className: "clip-edit" + (clip.kept ? "" : " dropped"), dataset: { clip: clip.id } }, [
      head, bar, el("table", { className: "windows" }, [body]),
      el("div", { className: "row" }, [add, apply]),
    ]);
  }

  function itemBox(item) {
    var name = el("input", { type: "text", value: item.title, id: "rename-" + item.id, "aria-label": tr("review.product") });
    var rename = el("form", {}, [name, el("button", { type: "submit", className: "small", text: tr("review.rename") })]);
    rename.addEventListener("submit", function (ev) {
      ev.preventDefault();
      edit({ kind: "rename", item_id: item.id, title: name.value });
    });
    var box = el("article", { className: "item", dataset: { item: item.id } }, [
      el("h2", { className: "item-title", text: item.title }), rename,
    ]);
    var others = state.items.filter(function (o) { return o.id !== item.id; });
    if (others.length) {
      var pick = el("select", { "aria-label": tr("review.merge_into") },
        others.map(function (o) { return el("option", { value: o.id, text: o.title }); }));
      var merge = el("button", { type: "button", className: "small secondary", text: tr("review.merge") });
      merge.addEventListener("click", function () { edit({ kind: "merge", item_id: item.id, into_id: pick.value }); });
      box.appendChild(el("div", { className: "row" }, [el("span", { text: tr("review.merge_into") }), pick, merge]));
    }
    box.appendChild(el("h3", { text: tr("review.lines") }));
    box.appendChild(el("ol", { className: "lines" }, item.lines.map(function (line) { return lineRow(item.id, line); })));
    box.appendChild(el("h3", { text: tr("review.clips") }));
    item.clips.forEach(function (c) { box.appendChild(clipBox(c)); });
    return box;
  }

  function draw(view) {
    state = view;
    heads = [];
    document.getElementById("review-version").textContent = view.version;
    document.getElementById("review-undo").disabled = view.version === 0;
    document.getElementById("review-awaiting").hidden = !view.awaiting_review;
    document.getElementById("review-cleaned").hidden = !view.cleaned;
    var items = document.getElementById("review-items");
    items.textContent = "";
    view.items.forEach(function (item) { items.appendChild(itemBox(item)); });
    root.dataset.version = view.version;
  }

  video.addEventListener("timeupdate", function () {
    var t = video.currentTime;
    document.getElementById("review-time").textContent = secs(t) + " s";
    if (queue.length && !video.seeking && t >= queue[0][1] - 0.02) {
      queue.shift();  // this piece is done: on to the next (past a removed span), or stop
      if (queue.length) video.currentTime = queue[0][0];
      else video.pause();
    }
    heads.forEach(function (h) {
      var a = parseFloat(h.dataset.from), b = parseFloat(h.dataset.to);
      h.hidden = t < a || t > b;
      h.style.left = (100 * (t - a) / (b - a)) + "%";
    });
  });

  document.getElementById("review-undo").addEventListener("click", function () {
    send("/undo", {}).then(function (view) { draw(view); show(tr("review.saved")); })
      .catch(function (e) { show(e.message, true); });
  });

  document.getElementById("review-render").addEventListener("click", function () {
    send("/render", {}).then(function () {
      show(tr("review.rendering"));
      window.location.href = "/jobs/" + jobId;
    }).catch(function (e) { show(e.message, true); });
  });

  fetch(api, { headers: { Accept: "application/json" } }).then(function (r) {
    return r.json().then(function (data) {
      if (!r.ok) throw new Error(data.detail || r.statusText);
      draw(data);
    });
  }).catch(function (e) { show(e.message, true); });
})();
