// Every page: server times (UTC, ISO 8601) shown in the reader's own time zone and language.
(function () {
  "use strict";
  var lang = document.documentElement.lang || undefined;
  var format;
  try {
    format = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  } catch (e) {
    return; // an old browser keeps the UTC text the server wrote
  }
  document.querySelectorAll("time.local-time[datetime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime())) return;
    el.title = el.textContent;
    el.textContent = format.format(when);
  });
})();
