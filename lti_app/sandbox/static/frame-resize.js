/* The sandbox LMS honours lti.frameResize as Canvas does: the tool's frame takes the
 * height the tool posts. Only from the tool's origin (event.origin) and only from
 * the tool frame itself (event.source), never from another frame or window. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("frame-config").textContent);
  var frame = document.querySelector("iframe[name=tool]");
  if (!frame) return;
  var MIN = 150, MAX = 100000;
  window.addEventListener("message", function (event) {
    if (event.origin !== cfg.toolOrigin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || typeof data !== "object" || data.subject !== "lti.frameResize") return;
    var height = Math.round(Number(data.height));
    if (!isFinite(height) || height <= 0) return;
    var border = frame.offsetHeight - frame.clientHeight;  // the frame's own border
    frame.style.height = Math.min(Math.max(height, MIN), MAX) + border + "px";
    frame.dataset.resized = String(height);
  });
})();
