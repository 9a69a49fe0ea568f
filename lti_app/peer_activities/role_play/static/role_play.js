// Role-play: an optional countdown timer for the round in progress. The page works
// without it; the timer's markup stays hidden until this script shows it.
(function () {
  "use strict";
  function format(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  document.querySelectorAll(".rp-timer").forEach(function (box) {
    var total = (parseInt(box.getAttribute("data-minutes"), 10) || 10) * 60;
    var left = total, handle = null;
    var clock = box.querySelector(".rp-timer-clock");
    var start = box.querySelector(".rp-timer-start");
    var reset = box.querySelector(".rp-timer-reset");
    function show() { clock.textContent = format(left); }
    function stop() { if (handle) { clearInterval(handle); handle = null; } start.textContent = "Start timer"; }
    start.addEventListener("click", function () {
      if (handle) { stop(); return; }
      start.textContent = "Pause timer";
      handle = setInterval(function () {
        left = Math.max(0, left - 1);
        show();
        if (left === 0) { stop(); clock.textContent = "Time is up"; }
      }, 1000);
    });
    reset.addEventListener("click", function () { stop(); left = total; show(); });
    box.hidden = false;
    show();
  });
})();
