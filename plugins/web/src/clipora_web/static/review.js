// Review page: products with their transcript lines and clips, edited through the review API.
// Every change is one POST; the answer is the whole review again, drawn from scratch. Text goes
// in with textContent and input values only: nothing from the server is parsed as HTML.
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
  var stopAt = null;
  var heads = [];

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

  function play(start, end) {
    video.currentTime = start;
    stopAt = end;
    video.play().catch(function () {});
  }

  function lineRow(line) {
    var input = el("input", { type: "text", value: line.text, id: "line-" + line.id, className: "line-text" });
    var save = el("button", { type: "button", className: "small save-line", text: tr("review.save_line") });
    save.addEventListener("click", function () {
      edit({ kind: "transcript", segment_id: line.id, text: input.value });
    });
    input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") save.click(); });
    var time = el("span", { className: "time", text: secs(line.start_seconds) + "s" });
    time.addEventListener("click", function () { play(line.start_seconds, line.end_seconds); });
    var li = el("li", { dataset: { line: line.id }, className: line.fixed ? "fixed" : "" }, [time, input, save]);
    if (line.fixed) li.appendChild(el("span", { className: "raw", text: tr("review.line_fixed", { raw: line.raw_text }) }));
    return li;
  }

  function timeline(clip, rows) {
    var lo = Math.min.apply(null, clip.windows.map(function (w) { return w.start_seconds; }));
    var hi = Math.max.apply(null, clip.windows.map(function (w) { return w.end_seconds; }));
    var pad = Math.max(5, (hi - lo) * 0.25);
    var a = Math.max(0, lo - pad), b = Math.min(state.duration_seconds || hi + pad, hi + pad);
    var bar = el("div", { className: "timeline", title: secs(a) + "–" + secs(b) + " s" });
    clip.windows.forEach(function (w) {
      var win = el("div", { className: "win" });
      win.style.left = (100 * (w.start_seconds - a) / (b - a)) + "%";
      win.style.width = (100 * (w.end_seconds - w.start_seconds) / (b - a)) + "%";
      bar.appendChild(win);
    });
    var head = el("div", { className: "head" });
    head.dataset.from = a;
    head.dataset.to = b;
    bar.appendChild(head);
    heads.push(head);
    bar.addEventListener("click", function (ev) {
      var r = bar.getBoundingClientRect();
      video.currentTime = a + (b - a) * (ev.clientX - r.left) / r.width;
    });
    return bar;
  }

  function windowRow(w, body) {
    var start = el("input", { type: "number", step: "0.1", min: "0", value: w.start_seconds, className: "win-start", "aria-label": tr("review.start") });
    var end = el("input", { type: "number", step: "0.1", min: "0", value: w.end_seconds, className: "win-end", "aria-label": tr("review.end") });
    var now1 = el("button", { type: "button", className: "small secondary", text: "⇤", title: tr("review.start") });
    now1.addEventListener("click", function () { start.value = secs(video.currentTime); });
    var now2 = el("button", { type: "button", className: "small secondary", text: "⇥", title: tr("review.end") });
    now2.addEventListener("click", function () { end.value = secs(video.currentTime); });
    var go = el("button", { type: "button", className: "small secondary", text: "▶ " + tr("review.play") });
    go.addEventListener("click", function () { play(parseFloat(start.value), parseFloat(end.value)); });
    var rm = el("button", { type: "button", className: "small secondary", text: tr("review.remove_window") });
    var row = el("tr", {}, [
      el("td", {}, [start, now1]), el("td", {}, [end, now2]), el("td", {}, [go, rm]),
    ]);
    rm.addEventListener("click", function () { if (body.children.length > 1) body.removeChild(row); });
    return row;
  }

  function clipBox(clip) {
    var keep = el("input", { type: "checkbox", checked: clip.kept, id: "keep-" + clip.id, className: "keep" });
    keep.addEventListener("change", function () { edit({ kind: "keep", clip_id: clip.id, keep: keep.checked }); });
    var head = el("div", { className: "row" }, [
      el("b", { text: tr("review.variant") + " " + clip.variant }),
      el("span", { className: "clip-duration", text: tr("review.duration", { s: secs(clip.duration_seconds) }) }),
      clip.score !== null ? el("span", { className: "score", text: String(Math.round(clip.score)) }) : null,
      el("label", { className: "inline" }, [keep, document.createTextNode(" " + (clip.kept ? tr("review.keep") : tr("review.dropped")))]),
    ]);
    var body = el("tbody");
    clip.windows.forEach(function (w) { body.appendChild(windowRow(w, body)); });
    var add = el("button", { type: "button", className: "small secondary add-window", text: tr("review.add_window") });
    add.addEventListener("click", function () {
      var t = video.currentTime || 0;
      body.appendChild(windowRow({ start_seconds: secs(t), end_seconds: secs(t + 5) }, body));
    });
    var apply = el("button", { type: "button", className: "small apply-windows", text: tr("review.apply_windows") });
    apply.addEventListener("click", function () {
      var windows = Array.prototype.map.call(body.children, function (tr) {
        return {
          start_seconds: parseFloat(tr.querySelector(".win-start").value),
          end_seconds: parseFloat(tr.querySelector(".win-end").value),
        };
      });
      edit({ kind: "windows", clip_id: clip.id, windows: windows });
    });
    return el("div", { className: "clip-edit" + (clip.kept ? "" : " dropped"), dataset: { clip: clip.id } }, [
      head, timeline(clip), el("table", { className: "windows" }, [body]),
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
    box.appendChild(el("ol", { className: "lines" }, item.lines.map(lineRow)));
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
    var items = document.getElementById("review-items");
    items.textContent = "";
    view.items.forEach(function (item) { items.appendChild(itemBox(item)); });
    root.dataset.version = view.version;
  }

  video.addEventListener("timeupdate", function () {
    var t = video.currentTime;
    document.getElementById("review-time").textContent = secs(t) + " s";
    if (stopAt !== null && t >= stopAt) { video.pause(); stopAt = null; }
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
