// Role-play: the shared round clock and local times. The page works without it:
// the server renders the clock as it stood and times in UTC.
(function () {
  "use strict";
  function format(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  // -- the shared round clock: every member counts down to the same server time ------
  document.querySelectorAll("[data-round-clock]").forEach(function (box) {
    var left = box.querySelector("[data-left]");
    var stateText = box.querySelector("[data-clock-state]");
    var news = box.querySelector("[data-clock-news]");
    var stopForm = box.querySelector(".rp-clock-stop");
    var startForm = box.querySelector(".rp-clock-start");
    // Server "now" minus the browser's: corrects a browser clock that is off.
    var skew = 0;
    var serverNow = Date.parse(box.getAttribute("data-now") || "");
    if (!isNaN(serverNow)) { skew = serverNow - Date.now(); }
    var state = {
      running: box.getAttribute("data-running") === "yes",
      endsAt: Date.parse(box.getAttribute("data-ends-at") || ""),
      seconds: parseInt(box.getAttribute("data-seconds"), 10) || 600,
      status: "in_progress"
    };
    var announcedUp = false;
    function remaining() {
      if (!state.running || isNaN(state.endsAt)) { return state.seconds; }
      return Math.max(0, Math.round((state.endsAt - (Date.now() + skew)) / 1000));
    }
    function show() {
      var secs = remaining();
      left.textContent = format(secs);
      if (state.status !== "in_progress") {
        stateText.textContent = "the round has ended: reload the page to give feedback";
      } else if (!state.running) {
        stateText.textContent = "not started";
      } else if (secs === 0) {
        stateText.textContent = "time is up";
        if (!announcedUp) { news.textContent = "Time is up."; announcedUp = true; }
      } else {
        stateText.textContent = "running";
      }
      stopForm.hidden = !state.running;
      startForm.hidden = state.running;
    }
    function poll() {
      var url = box.getAttribute("data-clock-url");
      if (!url || !window.fetch) { return; }
      fetch(url, { credentials: "omit", cache: "no-store" }).then(function (resp) {
        return resp.ok ? resp.json() : null;
      }).then(function (data) {
        if (!data) { return; }
        var now = Date.parse(data.now);
        if (!isNaN(now)) { skew = now - Date.now(); }
        if (data.running !== state.running) {
          news.textContent = data.running ? "The round clock was started." : "The round clock was stopped.";
          announcedUp = false;
        }
        state.running = data.running;
        state.endsAt = Date.parse(data.ends_at || "");
        state.seconds = data.seconds;
        state.status = data.status;
        show();
      }).catch(function () { /* offline for a moment: keep counting */ });
    }
    show();
    setInterval(show, 1000);
    setInterval(poll, 5000);
  });

  // -- proposed times in the reader's own time zone -----------------------------------
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var at = new Date(el.getAttribute("datetime"));
    if (isNaN(at.getTime())) { return; }
    el.textContent = at.toLocaleString([], {
      weekday: "short", day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit"
    });
  });
  document.querySelectorAll("[data-tz-note]").forEach(function (el) {
    el.textContent = "Times are shown in your time zone" + (zone ? " (" + zone + ")" : "") + ".";
  });
  document.querySelectorAll("[data-tz-name]").forEach(function (el) {
    el.textContent = "your time" + (zone ? ", " + zone : "");
  });
  document.querySelectorAll(".rp-slot-form").forEach(function (form) {
    var input = form.querySelector("input[type=datetime-local]");
    var offset = form.querySelector("[data-utc-offset]");
    function update() {
      // The offset of the chosen date (summer time included), minutes ahead of UTC.
      var at = input.value ? new Date(input.value) : new Date();
      if (!isNaN(at.getTime())) { offset.value = String(-at.getTimezoneOffset()); }
    }
    input.addEventListener("change", update);
    form.addEventListener("submit", update);
    update();
  });
})();
