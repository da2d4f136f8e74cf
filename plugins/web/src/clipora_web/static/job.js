// Live job page: server-sent events carry the job's snapshot (read from its manifest and log).
// Text goes in with textContent only: nothing from the server is parsed as HTML.
(function () {
  "use strict";
  var root = document.getElementById("job");
  if (!root) return;
  var jobId = root.dataset.jobId;
  var wasActive = root.dataset.active === "true";
  var ACTIVE = ["queued", "running", "stopping"];
  // Words in the page's language (base.html: <body data-i18n>); the raw status stays in
  // data-status for scripts and tests.
  var i18n = JSON.parse(document.body.dataset.i18n || "{}");
  var labels = i18n.labels || {};
  var messages = i18n.messages || {};

  function setStatus(el, status) {
    el.textContent = labels["status." + status] || status;
    el.dataset.status = status;
    el.className = "status status-" + status;
  }

  function render(snap) {
    setStatus(document.getElementById("job-status"), snap.status);
    var err = document.getElementById("job-error");
    err.textContent = snap.error || "";
    err.hidden = !snap.error;
    var qp = document.getElementById("queue-position");
    var template = messages["job.queue_position"] || "({n})";
    qp.textContent = snap.queue_position ? template.replace("{n}", snap.queue_position) : "";
    snap.stages.forEach(function (s) {
      var row = document.getElementById("stage-" + s.name);
      if (!row) return;
      setStatus(row.querySelector('[data-field="status"]'), s.status);
      var p = s.progress || 0;
      row.querySelector('[data-field="progress"]').value = p;
      row.querySelector('[data-field="percent"]').textContent = Math.round(p * 100) + "%";
      row.querySelector('[data-field="detail"]').textContent = s.error || s.detail_text || "";
    });
    var log = document.getElementById("log");
    var atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.textContent = (snap.recent_logs || []).join("\n");
    if (atBottom) log.scrollTop = log.scrollHeight;
    root.dataset.status = snap.status;
  }

  if (!wasActive || !window.EventSource) return;
  var source = new EventSource("/api/jobs/" + jobId + "/events");
  source.addEventListener("snapshot", function (ev) {
    render(JSON.parse(ev.data));
  });
  source.addEventListener("end", function () {
    source.close();
    // The job is done: reload once to show its clips, downloads and actions.
    if (ACTIVE.indexOf(root.dataset.status) < 0) window.location.reload();
  });
})();
